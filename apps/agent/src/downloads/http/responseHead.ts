/** The status line and headers of an HTTP/1.1 response; header names in lower case. */
export interface ResponseHead {
  status: number;
  /** "1.0" connections close after the response unless they say otherwise. */
  version: "1.0" | "1.1";
  headers: Record<string, string>;
}

/** A response that does not parse as HTTP/1.x: the connection cannot be trusted further. */
export class ProtocolError extends Error {}

const HEAD_END = Buffer.from("\r\n\r\n");

/** Where the head ends in `bytes` (the index after its blank line), or -1 if it has not yet. */
export function findHeadEnd(bytes: Buffer): number {
  const at = bytes.indexOf(HEAD_END);
  return at < 0 ? -1 : at + HEAD_END.length;
}

/**
 * Parses a response head, blank line included. Repeated headers are joined with ", " as
 * RFC 9110 allows, except that two different Content-Lengths are refused: a body whose end
 * is ambiguous would put wrong bytes in the file.
 */
export function parseResponseHead(bytes: Buffer): ResponseHead {
  const lines = bytes.toString("latin1").split("\r\n");
  const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? "");
  if (!statusLine)
    throw new ProtocolError(`not an HTTP/1.1 response: ${(lines[0] ?? "").slice(0, 80)}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ProtocolError(`malformed header line: ${line.slice(0, 80)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const earlier = headers[name];
    if (earlier !== undefined && name === "content-length" && earlier !== value)
      throw new ProtocolError("two different Content-Length headers");
    headers[name] =
      earlier === undefined || name === "content-length" ? value : `${earlier}, ${value}`;
  }
  return { status: Number(statusLine[2]), version: statusLine[1] === "0" ? "1.0" : "1.1", headers };
}
