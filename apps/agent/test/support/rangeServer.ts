import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * Serves files from a folder with HTTP Range support, as a hub's file server does; counts
 * the bytes it sends so tests can check that only headers travelled.
 */
export async function startRangeServer(root: string) {
  let bytesSent = 0;
  const server: Server = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (req.method === "HEAD") {
      res.writeHead(200, { "Content-Length": size, "Accept-Ranges": "bytes" }).end();
      return;
    }
    if (!range) {
      res.writeHead(200, { "Content-Length": size, "Accept-Ranges": "bytes" });
      bytesSent += size;
      createReadStream(path).pipe(res);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
    if (start >= size) {
      res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, {
      "Content-Range": `bytes ${start}-${end}/${size}`,
      "Content-Length": end - start + 1,
      "Accept-Ranges": "bytes",
    });
    bytesSent += end - start + 1;
    createReadStream(path, { start, end }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytesSent: () => bytesSent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
