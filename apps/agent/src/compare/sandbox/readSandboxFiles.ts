import type { Readable } from "node:stream";

/**
 * Reads the files the inside script sends out of the sandbox on its result pipe: for each,
 * a line `NAME SIZE` and then SIZE bytes. The sandbox's own folder is a tmpfs that vanishes
 * with it, so this is the only way out, and it is bounded: at most `maxBytes` per file and
 * only the names asked for; anything else ends the reading. (A program could write to this
 * pipe too — what comes out is evidence about an honest program, never trusted as more.)
 */
export function readSandboxFiles(
  stream: Readable,
  limits: Record<string, number>,
): Promise<Map<string, Buffer>> {
  return new Promise((resolve) => {
    const files = new Map<string, Buffer>();
    let pending: Buffer = Buffer.alloc(0);
    let current: { name: string; size: number; chunks: Buffer[]; got: number } | null = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stream.destroy();
      resolve(files);
    };
    stream.on("data", (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (!done && pending.length) {
        if (!current) {
          const newline = pending.indexOf(10);
          if (newline < 0) {
            if (pending.length > 256) finish(); // no header is that long
            return;
          }
          const header = /^([a-z.-]{1,32}) (\d{1,12})$/.exec(
            pending.subarray(0, newline).toString(),
          );
          const name = header?.[1] ?? "";
          const size = Number(header?.[2] ?? -1);
          const limit = limits[name];
          if (!header || limit === undefined || size > limit) return finish();
          current = { name, size, chunks: [], got: 0 };
          pending = pending.subarray(newline + 1);
        }
        const take = pending.subarray(0, current.size - current.got);
        current.chunks.push(take);
        current.got += take.length;
        pending = pending.subarray(take.length);
        if (current.got === current.size) {
          files.set(current.name, Buffer.concat(current.chunks));
          current = null;
        }
      }
    });
    stream.on("end", finish);
    stream.on("error", finish);
    stream.on("close", finish);
  });
}
