import { ProtocolError, type ResponseHead } from "./responseHead.js";

/** How a response body's end is known (RFC 9112 §6.3). */
export type BodyFraming =
  { kind: "length"; length: number } | { kind: "chunked" } | { kind: "untilClose" };

/** The framing a response declares. Responses to GET only: a 204 or 304 has no body. */
export function framingOf({ status, headers }: ResponseHead): BodyFraming {
  if (status === 204 || status === 304) return { kind: "length", length: 0 };
  const codings = headers["transfer-encoding"];
  if (codings !== undefined) {
    if (/(?:^|,)\s*chunked\s*$/i.test(codings)) return { kind: "chunked" };
    return { kind: "untilClose" };
  }
  const length = headers["content-length"];
  if (length !== undefined) {
    if (!/^\d+$/.test(length))
      throw new ProtocolError(`bad Content-Length: ${length.slice(0, 40)}`);
    return { kind: "length", length: Number(length) };
  }
  return { kind: "untilClose" };
}

/** Longest chunk-size or trailer line accepted. */
const MAX_LINE = 4096;
const LF = 0x0a;

/**
 * Finds a body's bytes in what a connection reads: views into the read, never copies (a
 * download's bytes go from the socket's buffer straight to the file). Keeps the little
 * state a chunked body needs across reads.
 */
export class BodyDecoder {
  /** Length framing: bytes still to come. Chunked: bytes left in the current chunk. */
  private remaining: number;
  private state: "data" | "size" | "dataEnd" | "trailers" | "done";
  private line = "";

  constructor(private readonly framing: BodyFraming) {
    this.remaining = framing.kind === "length" ? framing.length : 0;
    this.state =
      framing.kind === "chunked"
        ? "size"
        : framing.kind === "length" && framing.length === 0
          ? "done"
          : "data";
  }

  /** Whether the body is complete (an until-close body is complete only at the close). */
  get done(): boolean {
    return this.state === "done";
  }

  /** Whether the connection closing now ends the body rather than cutting it short. */
  get endsAtClose(): boolean {
    return this.framing.kind === "untilClose";
  }

  /**
   * The body's bytes in `data`, and how many bytes came after the body's end (none from a
   * well-behaved server: we never pipeline requests).
   */
  decode(data: Buffer): { body: Buffer[]; extra: number } {
    const body: Buffer[] = [];
    let at = 0;
    while (at < data.length && this.state !== "done") {
      if (this.state === "data") {
        if (this.framing.kind === "untilClose") {
          body.push(at === 0 ? data : data.subarray(at));
          return { body, extra: 0 };
        }
        const take = Math.min(this.remaining, data.length - at);
        body.push(data.subarray(at, at + take));
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = this.framing.kind === "chunked" ? "dataEnd" : "done";
        continue;
      }
      // A line: a chunk size, the CRLF after a chunk's data, or a trailer.
      const lf = data.indexOf(LF, at);
      const end = lf < 0 ? data.length : lf;
      this.line += data.toString("latin1", at, end);
      if (this.line.length > MAX_LINE) throw new ProtocolError("a chunked body's line is too long");
      at = end;
      if (lf < 0) break;
      at++;
      this.endLine(this.line.endsWith("\r") ? this.line.slice(0, -1) : this.line);
      this.line = "";
    }
    return { body, extra: data.length - at };
  }

  private endLine(line: string): void {
    switch (this.state) {
      case "size": {
        const size = /^([0-9a-fA-F]{1,12})\s*(?:;.*)?$/.exec(line);
        if (!size) throw new ProtocolError(`bad chunk size: ${line.slice(0, 40)}`);
        this.remaining = parseInt(size[1] ?? "", 16);
        this.state = this.remaining === 0 ? "trailers" : "data";
        return;
      }
      case "dataEnd":
        if (line !== "") throw new ProtocolError("a chunk's data is longer than its size");
        this.state = "size";
        return;
      case "trailers":
        if (line === "") this.state = "done"; // trailers themselves are ignored
        return;
    }
  }
}
