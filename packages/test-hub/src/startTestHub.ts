import { createHash } from "node:crypto";
import { createReadStream, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, sep } from "node:path";

/** A repository the test hub serves: files on disk under `dir`, published as `repo`. */
export interface TestRepo {
  repo: string;
  dir: string;
}

export interface TestHubOptions {
  repos: TestRepo[];
  /** Tree entries per page, to exercise pagination (the real hub pages at 1000). */
  pageSize?: number;
  /** Bytes per second per connection for file bodies (a slow link); unlimited if unset. */
  bandwidthPerConnection?: number;
  /** Answer resolve URLs with a 302 to a CDN-like path on this server, as the real hub does. Defaults to true. */
  redirectToCdn?: boolean;
  /** Extra tree entries with no content, e.g. a huge file to test the disk-space preflight. */
  virtualFiles?: { repo: string; path: string; size: number; sha256: string }[];
}

/** Faults a test can inject into the next matching file responses. */
export type Fault =
  | "dropMidBody" // close the connection half-way through the body
  | "stall" // send half the body, then nothing, holding the connection open
  | "serverError" // answer 500
  | "wrongBytes" // send bytes that differ from the file's
  | "ignoreRange" // answer 200 with the whole file to a Range request
  | "noContentLength" // stream the body without Content-Length
  | "foreignRedirect"; // redirect to another host

interface FileEntry {
  path: string;
  size: number;
  sha256: string;
  abs: string;
}

interface ArmedFault {
  fault: Fault;
  match: (path: string) => boolean;
  remaining: number;
}

/**
 * A local HTTP server speaking the parts of the Hugging Face hub API that Quantdeck uses:
 * `GET /api/models/{repo}/tree/{rev}?recursive=true` (paginated with a Link header, LFS
 * sha256 and sizes), and `GET /{repo}/resolve/{rev}/{path}`, answered like the real hub
 * with a redirect to a CDN path that serves the bytes with Range and ETag. Faults can be
 * injected into file responses; a bandwidth cap makes a slow link. Tests and benchmarks
 * point the agent at it with HF_ENDPOINT.
 */
export async function startTestHub(options: TestHubOptions) {
  const pageSize = options.pageSize ?? 1000;
  const files = new Map<string, FileEntry[]>();
  // Repos published from the same folder share one listing (its hashes are computed once).
  const listings = new Map<string, FileEntry[]>();
  for (const { repo, dir } of options.repos) {
    const listing = listings.get(dir) ?? listFiles(dir);
    listings.set(dir, listing);
    files.set(repo, [...listing]);
  }
  for (const v of options.virtualFiles ?? [])
    files.get(v.repo)?.push({ path: v.path, size: v.size, sha256: v.sha256, abs: "" });
  const requests: {
    method: string;
    url: string;
    authorization: string | undefined;
    range: string | undefined;
  }[] = [];
  const faults: ArmedFault[] = [];
  const openResponses = new Set<ServerResponse>();
  const takeFault = (path: string): Fault | null => {
    const armed = faults.find((f) => f.remaining > 0 && f.match(path));
    if (!armed) return null;
    armed.remaining--;
    return armed.fault;
  };
  const find = (repo: string, path: string) =>
    files.get(decodeURIComponent(repo))?.find((f) => f.path === decodeURIComponent(path));

  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? "GET",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      range: req.headers.range,
    });
    openResponses.add(res);
    res.on("close", () => openResponses.delete(res));
    const url = new URL(req.url ?? "/", "http://hub");
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)\/?$/.exec(url.pathname);
    if (tree) return serveTree(res, url, files.get(decodeURIComponent(tree[1] ?? "")), pageSize);
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(url.pathname);
    if (cdn) {
      const entry = find(cdn[1] ?? "", cdn[2] ?? "");
      return entry
        ? serveFile(req, res, entry, takeFault(entry.path), options.bandwidthPerConnection)
        : notFound(res, "Entry not found");
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const repo = decodeURIComponent(resolve[1] ?? "");
      const entry = find(resolve[1] ?? "", resolve[3] ?? "");
      if (!entry) return notFound(res, "Entry not found");
      if (
        faults.some((f) => f.fault === "foreignRedirect" && f.remaining > 0 && f.match(entry.path))
      ) {
        takeFault(entry.path);
        // 127.0.0.2 is loopback too, but another host as far as the client can tell.
        return res
          .writeHead(302, { Location: `http://127.0.0.2:${port()}/cdn/${repo}/${entry.path}` })
          .end();
      }
      if (options.redirectToCdn !== false) {
        return res
          .writeHead(302, {
            Location: `/cdn/${repo}/${entry.path}`,
            "X-Linked-Size": String(entry.size),
          })
          .end();
      }
      return serveFile(req, res, entry, takeFault(entry.path), options.bandwidthPerConnection);
    }
    notFound(res, "Repository not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = () => (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port()}`,
    requests,
    /** Makes the next `times` responses for files matching `pathPattern` misbehave. */
    inject(fault: Fault, pathPattern: RegExp, times = 1) {
      faults.push({ fault, match: (path) => pathPattern.test(path), remaining: times });
    },
    /** Ends every response in flight (the connections drop), as a network failure would. */
    dropAll() {
      for (const res of openResponses) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listFiles(dir: string): FileEntry[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => name.split(sep).join("/"))
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort()
    .map((path) => {
      const abs = join(dir, path);
      return {
        path,
        size: statSync(abs).size,
        sha256: createHash("sha256").update(readFileSync(abs)).digest("hex"),
        abs,
      };
    });
}

function serveTree(
  res: ServerResponse,
  url: URL,
  entries: FileEntry[] | undefined,
  pageSize: number,
) {
  if (!entries) return notFound(res, "Repository not found");
  const cursor = Number(url.searchParams.get("cursor") ?? 0);
  const page = entries.slice(cursor, cursor + pageSize).map((f) => ({
    type: "file",
    oid: createHash("sha1").update(f.path).digest("hex"),
    size: f.size,
    path: f.path,
    ...(f.path.endsWith(".gguf") ? { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } } : {}),
  }));
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (cursor + pageSize < entries.length) {
    const next = new URL(url.toString());
    next.searchParams.set("cursor", String(cursor + pageSize));
    headers.Link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  res.writeHead(200, headers).end(JSON.stringify(page));
}

function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  entry: FileEntry,
  fault: Fault | null,
  bandwidth: number | undefined,
) {
  const etag = `"${entry.sha256}"`;
  const range =
    fault === "ignoreRange" ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  const common = { ETag: etag, "Accept-Ranges": "bytes" };
  if (req.method === "HEAD")
    return res.writeHead(200, { ...common, "Content-Length": entry.size }).end();
  if (fault === "serverError")
    return res.writeHead(500, { "Content-Type": "text/plain" }).end("Internal Server Error");
  const start = range ? Number(range[1]) : 0;
  const end = range
    ? Math.min(entry.size - 1, range[2] ? Number(range[2]) : entry.size - 1)
    : entry.size - 1;
  if (range && start >= entry.size)
    return res.writeHead(416, { "Content-Range": `bytes */${entry.size}` }).end();
  const headers: Record<string, string | number> = { ...common };
  if (fault !== "noContentLength") headers["Content-Length"] = end - start + 1;
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${entry.size}`;
  res.writeHead(range ? 206 : 200, headers);
  streamBody(res, entry.abs, start, end, fault, bandwidth);
}

/** Writes a file's bytes, paced to `bandwidth`, and broken as `fault` says. */
function streamBody(
  res: ServerResponse,
  path: string,
  start: number,
  end: number,
  fault: Fault | null,
  bandwidth: number | undefined,
) {
  const half = start + Math.floor((end - start + 1) / 2);
  // A capped link sends small slices, each when its time comes: the bytes themselves are
  // paced, not just the end of the response.
  const stream = createReadStream(path, {
    start,
    end,
    highWaterMark: bandwidth ? 16 * 1024 : 64 * 1024,
  });
  let sent = 0;
  let waiting = false;
  let ended = false;
  const began = Date.now();
  stream.on("data", (data: string | Buffer) => {
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const out = fault === "wrongBytes" ? Buffer.from(chunk.map((b) => b ^ 0xff)) : chunk;
    const position = start + sent;
    if ((fault === "dropMidBody" || fault === "stall") && position + out.length > half) {
      const keep = Math.max(0, half - position);
      if (keep > 0) res.write(out.subarray(0, keep));
      stream.destroy();
      if (fault === "dropMidBody") setTimeout(() => res.destroy(), 20);
      return; // a stall keeps the connection open and silent
    }
    sent += out.length;
    if (bandwidth) {
      stream.pause();
      waiting = true;
      setTimeout(
        () => {
          waiting = false;
          res.write(out);
          if (ended) res.end();
          else stream.resume();
        },
        Math.max(0, began + (sent / bandwidth) * 1000 - Date.now()),
      );
      return;
    }
    if (!res.write(out)) {
      stream.pause();
      res.once("drain", () => stream.resume());
    }
  });
  // The file can end while its last slice still waits for its time: end after it.
  stream.on("end", () => {
    ended = true;
    if (!waiting) res.end();
  });
  res.on("close", () => stream.destroy());
}

function notFound(res: ServerResponse, message: string) {
  res
    .writeHead(404, { "Content-Type": "application/json", "X-Error-Code": "RepoNotFound" })
    .end(JSON.stringify({ error: message }));
}
