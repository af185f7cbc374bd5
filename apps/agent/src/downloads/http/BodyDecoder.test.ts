import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BodyDecoder, framingOf, type BodyFraming } from "./BodyDecoder.js";
import { ProtocolError } from "./responseHead.js";

/** Feeds `wire` to a decoder in pieces cut at `cuts`; returns the body and the bytes after it. */
function decodeInPieces(framing: BodyFraming, wire: Buffer, cuts: number[]) {
  const decoder = new BodyDecoder(framing);
  const body: Buffer[] = [];
  let extra = 0;
  let from = 0;
  for (const to of [...cuts, wire.length]) {
    const piece = Buffer.from(wire.subarray(from, to)); // a fresh buffer, as each read would be
    const result = decoder.decode(piece);
    body.push(...result.body.map((b) => Buffer.from(b)));
    extra += result.extra;
    from = to;
  }
  return { body: Buffer.concat(body), extra, done: decoder.done };
}

function chunked(parts: Buffer[], trailer = ""): Buffer {
  return Buffer.concat([
    ...parts.flatMap((part, i) => [
      Buffer.from(`${part.length.toString(16)}${i === 1 ? ";name=value" : ""}\r\n`),
      part,
      Buffer.from("\r\n"),
    ]),
    Buffer.from(`0\r\n${trailer}\r\n`),
  ]);
}

describe("BodyDecoder", () => {
  const body = randomBytes(300);

  it("ends a Content-Length body at its length, wherever the reads are cut", () => {
    const wire = Buffer.concat([body, Buffer.from("HTTP/1.1 200")]);
    for (let cut = 0; cut <= wire.length; cut += 7) {
      const result = decodeInPieces({ kind: "length", length: body.length }, wire, [cut]);
      expect(result.body.equals(body)).toBe(true);
      expect(result.done).toBe(true);
      expect(result.extra).toBe(12);
    }
  });

  it("decodes a chunked body cut at every byte, with extensions and trailers", () => {
    const parts = [body.subarray(0, 100), body.subarray(100, 101), body.subarray(101)];
    const wire = chunked(parts, "X-Checksum: abc\r\n");
    const everyByte = Array.from({ length: wire.length - 1 }, (_, i) => i + 1);
    const result = decodeInPieces({ kind: "chunked" }, wire, everyByte);
    expect(result.body.equals(body)).toBe(true);
    expect(result.done).toBe(true);
    expect(result.extra).toBe(0);
    for (let cut = 0; cut <= wire.length; cut++) {
      const once = decodeInPieces({ kind: "chunked" }, wire, [cut]);
      expect(once.body.equals(body)).toBe(true);
      expect(once.done).toBe(true);
    }
  });

  it("hands the body on as views of the read, not copies", () => {
    const read = Buffer.concat([Buffer.from("5\r\n"), Buffer.from("hello"), Buffer.from("\r\n")]);
    const { body: views } = new BodyDecoder({ kind: "chunked" }).decode(read);
    expect(views).toHaveLength(1);
    expect(views[0]?.buffer).toBe(read.buffer);
  });

  it("refuses a malformed chunked body", () => {
    expect(() => new BodyDecoder({ kind: "chunked" }).decode(Buffer.from("zz\r\n"))).toThrow(
      ProtocolError,
    );
    expect(() => new BodyDecoder({ kind: "chunked" }).decode(Buffer.from("2\r\nabc\r\n"))).toThrow(
      /longer than its size/,
    );
    expect(() => new BodyDecoder({ kind: "chunked" }).decode(Buffer.alloc(10_000, "1"))).toThrow(
      /too long/,
    );
  });

  it("takes everything as the body of an until-close response, never done by itself", () => {
    const result = decodeInPieces({ kind: "untilClose" }, body, [10, 200]);
    expect(result.body.equals(body)).toBe(true);
    expect(result.done).toBe(false);
  });
});

describe("framingOf", () => {
  const of = (status: number, headers: Record<string, string>) =>
    framingOf({ status, version: "1.1", headers });

  it("reads the framing a response declares", () => {
    expect(of(206, { "content-length": "42" })).toEqual({ kind: "length", length: 42 });
    expect(of(200, { "transfer-encoding": "gzip, chunked", "content-length": "5" })).toEqual({
      kind: "chunked",
    });
    expect(of(200, { "transfer-encoding": "gzip" })).toEqual({ kind: "untilClose" });
    expect(of(200, {})).toEqual({ kind: "untilClose" });
    expect(of(304, { "content-length": "42" })).toEqual({ kind: "length", length: 0 });
  });

  it("refuses a Content-Length that is not a number", () => {
    expect(() => of(200, { "content-length": "-1" })).toThrow(ProtocolError);
    expect(() => of(200, { "content-length": "1e3" })).toThrow(ProtocolError);
  });
});
