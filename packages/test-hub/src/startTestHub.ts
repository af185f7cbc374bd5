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
}

interface FileEntry {
  path: string;
  size: number;
  sha256: string;
  abs: string;
}

/**
 * A local HTTP server speaking the parts of the Hugging Face hub API that Quantdeck uses:
 * `GET /api/models/{repo}/tree/{rev}?recursive=true` (paginated with a Link header, LFS
 * sha256 and sizes), and `GET /{repo}/resolve/{rev}/{path}` with Range and ETag. Tests and
 * benchmarks point the agent at it with HF_ENDPOINT.
 */
export async function startTestHub(options: TestHubOptions) {
  const pageSize = options.pageSize ?? 1000;
  const files = new Map<string, FileEntry[]>();
  for (const { repo, dir } of options.repos) files.set(repo, listFiles(dir));
  const requests: { method: string; url: string; authorization: string | undefined }[] = [];

  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? "GET",
      url: req.url ?? "",
      authorization: req.headers.authorization,
    });
    const url = new URL(req.url ?? "/", "http://hub");
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)\/?$/.exec(url.pathname);
    if (tree) return serveTree(res, url, files.get(decodeURIComponent(tree[1] ?? "")), pageSize);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const entry = files
        .get(decodeURIComponent(resolve[1] ?? ""))
        ?.find((f) => f.path === decodeURIComponent(resolve[3] ?? ""));
      return entry ? serveFile(req, res, entry) : notFound(res, "Entry not found");
    }
    notFound(res, "Repository not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
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

function serveFile(req: IncomingMessage, res: ServerResponse, entry: FileEntry) {
  const etag = `"${entry.sha256}"`;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  const common = { ETag: etag, "Accept-Ranges": "bytes", "X-Linked-Size": String(entry.size) };
  if (req.method === "HEAD")
    return res.writeHead(200, { ...common, "Content-Length": entry.size }).end();
  if (!range) {
    res.writeHead(200, { ...common, "Content-Length": entry.size });
    return createReadStream(entry.abs).pipe(res);
  }
  const start = Number(range[1]);
  const end = Math.min(entry.size - 1, range[2] ? Number(range[2]) : entry.size - 1);
  if (start >= entry.size)
    return res.writeHead(416, { "Content-Range": `bytes */${entry.size}` }).end();
  res.writeHead(206, {
    ...common,
    "Content-Range": `bytes ${start}-${end}/${entry.size}`,
    "Content-Length": end - start + 1,
  });
  createReadStream(entry.abs, { start, end }).pipe(res);
}

function notFound(res: ServerResponse, message: string) {
  res
    .writeHead(404, { "Content-Type": "application/json", "X-Error-Code": "RepoNotFound" })
    .end(JSON.stringify({ error: message }));
}
