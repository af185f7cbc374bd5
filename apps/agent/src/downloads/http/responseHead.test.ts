import { describe, expect, it } from "vitest";
import { findHeadEnd, parseResponseHead, ProtocolError } from "./responseHead.js";

const head = (text: string) => Buffer.from(text.replaceAll("\n", "\r\n"));

describe("parseResponseHead", () => {
  it("reads the status, the version and the headers, names in lower case", () => {
    const bytes = head(
      'HTTP/1.1 206 Partial Content\nContent-Range: bytes 0-9/100\nETag: "abc"\n\n',
    );
    expect(findHeadEnd(Buffer.concat([bytes, Buffer.from("body")]))).toBe(bytes.length);
    expect(parseResponseHead(bytes)).toEqual({
      status: 206,
      version: "1.1",
      headers: { "content-range": "bytes 0-9/100", etag: '"abc"' },
    });
  });

  it("joins repeated headers and knows HTTP/1.0", () => {
    const parsed = parseResponseHead(
      head("HTTP/1.0 200\nVia: a\nVia: b\nContent-Length: 5\nContent-Length: 5\n\n"),
    );
    expect(parsed.version).toBe("1.0");
    expect(parsed.headers.via).toBe("a, b");
    expect(parsed.headers["content-length"]).toBe("5");
  });

  it("refuses what is not an HTTP/1.x head, and an ambiguous length", () => {
    expect(() => parseResponseHead(head("SSH-2.0-OpenSSH\n\n"))).toThrow(ProtocolError);
    expect(() => parseResponseHead(head("HTTP/1.1 200 OK\nno colon here\n\n"))).toThrow(
      ProtocolError,
    );
    expect(() =>
      parseResponseHead(head("HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 6\n\n")),
    ).toThrow(/two different Content-Length/);
  });

  it("finds no end in a head that has not all arrived", () => {
    expect(findHeadEnd(head("HTTP/1.1 200 OK\nContent-Length: 5\n"))).toBe(-1);
  });
});
