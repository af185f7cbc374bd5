/**
 * The `data:` payloads of a server-sent event stream, as they arrive. Bytes are decoded as
 * UTF-8 across chunk boundaries (a character split between two reads stays whole); lines of
 * other fields and blank lines are skipped.
 */
export async function* serverSentEvents(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of chunks) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line.startsWith("data:")) yield line.slice(5).replace(/^ /, "");
    }
  }
  buffer += decoder.decode();
  if (buffer.startsWith("data:")) yield buffer.slice(5).replace(/^ /, "");
}
