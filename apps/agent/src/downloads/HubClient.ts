import { AgentError, messageOf } from "../errors/AgentError.js";
import { z } from "zod";

export interface HubFile {
  path: string;
  size: number;
  /** The LFS object's sha256 (what a download is verified against); null for small non-LFS files. */
  sha256: string | null;
}

const unknownRepo = (what: string) =>
  new AgentError({
    code: "unknownRepo",
    title: `No ${what} on the hub`,
    hint: "Check the spelling (org/name) and the revision.",
  });

const hubUnauthorized = () =>
  new AgentError({
    code: "hubUnauthorized",
    title: "The hub refused access",
    hint: "The repository may be gated or private: set a hub token (HF_TOKEN).",
  });

/** The hub is down, or answered something Quantdeck cannot use: `cause` says which. */
export const hubUnreachable = (cause: string) =>
  new AgentError({
    code: "hubUnreachable",
    title: "The model hub could not be reached",
    hint: "Check the network, or HF_ENDPOINT if you use a mirror.",
    cause: cause.slice(0, 300),
  });

/** `org/name`, as the hub spells repository ids. */
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const TIMEOUT_MS = 10_000;
/** A repository lists a few hundred files a page; these bound a hostile or broken hub. */
const MAX_PAGES = 100;
const MAX_FILES = 100_000;
const MAX_LISTING_BYTES = 32 * 1024 ** 2;
/** Sizes past this cannot be counted exactly (and negative ones are nonsense): a broken listing. */
const MAX_FILE_BYTES = Number.MAX_SAFE_INTEGER;

// The hub's answers are input like any other: parsed here, at the client's edge, so that a
// negative, huge or non-numeric size never reaches the disk check or the dashboard.
const fileSize = z.number().int().min(0).max(MAX_FILE_BYTES);
const treeEntrySchema = z.object({
  type: z.string(),
  path: z.string().min(1).max(1024),
  size: fileSize.optional(),
  lfs: z.object({ oid: z.string().regex(/^[0-9a-f]{64}$/), size: fileSize }).optional(),
});
const treePageSchema = z.array(z.unknown()).max(MAX_FILES);

export function isRepoId(repo: string): boolean {
  return REPO_ID.test(repo) && !repo.includes("..");
}

/**
 * The parts of the Hugging Face hub API Quantdeck uses, against `endpoint` (HF_ENDPOINT,
 * as the Python client does). The token is sent to the hub's own origin only — never to
 * a host a listing or a redirect points at.
 */
export class HubClient {
  private readonly origin: string;

  constructor(
    readonly endpoint: string,
    /** Read on every request, so a token set in the settings applies at once. */
    private readonly token: () => string | undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.origin = new URL(endpoint).origin;
  }

  /** Every file of a repository at a revision, with sizes and LFS hashes (all pages). */
  async listFiles(repo: string, revision = "main"): Promise<HubFile[]> {
    const what = `repository ${repo.slice(0, 200)} at ${revision.slice(0, 100)}`;
    if (!isRepoId(repo) || !REVISION.test(revision)) throw unknownRepo(what);
    const files: HubFile[] = [];
    let next: URL | null = new URL(
      `/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`,
      this.endpoint,
    );
    const seen = new Set<string>();
    while (next) {
      if (seen.has(next.href)) throw hubUnreachable("the hub's pages go round in a loop");
      if (seen.size >= MAX_PAGES)
        throw hubUnreachable(`the hub's listing runs past ${MAX_PAGES} pages`);
      seen.add(next.href);
      const response = await this.get(next, what);
      const page = treePageSchema.safeParse(await readJson(response, MAX_LISTING_BYTES));
      if (!page.success) throw hubUnreachable("the hub's file listing is not a list");
      for (const raw of page.data) {
        const entry = treeEntrySchema.safeParse(raw);
        if (!entry.success) {
          const where = describeEntry(raw);
          throw hubUnreachable(`the hub's listing has an invalid entry${where}`);
        }
        if (entry.data.type !== "file") continue;
        files.push({
          path: entry.data.path,
          size: entry.data.lfs?.size ?? entry.data.size ?? 0,
          sha256: entry.data.lfs?.oid ?? null,
        });
        if (files.length > MAX_FILES)
          throw hubUnreachable(`the repository lists more than ${MAX_FILES} files`);
      }
      const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      next = link ? new URL(link, this.endpoint) : null;
      // Follow pages on the hub itself only.
      if (next && next.origin !== this.origin)
        throw hubUnreachable("the hub's next page points elsewhere");
    }
    return files;
  }

  /** The download URL of a file (the hub answers it with the bytes or a redirect to them). */
  resolveUrl(repo: string, path: string, revision = "main"): string {
    return new URL(
      `/${repo}/resolve/${encodeURIComponent(revision)}/${path.split("/").map(encodeURIComponent).join("/")}`,
      this.endpoint,
    ).toString();
  }

  /** The hub's origin and the headers for it (for a download thread to apply itself). */
  credentials(): { origin: string; headers: Record<string, string> } {
    return { origin: this.origin, headers: this.headersFor(this.origin) };
  }

  /** Headers for a request to `url`: the token only if it is the hub's own origin. */
  headersFor(url: string | URL): Record<string, string> {
    const token = this.token();
    return token && new URL(url).origin === this.origin ? { Authorization: `Bearer ${token}` } : {};
  }

  private async get(url: URL, what: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: this.headersFor(url),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw hubUnreachable(`cannot reach ${this.origin}: ${messageOf(error)}`);
    }
    if (response.status === 404) throw unknownRepo(what);
    if (response.status === 401 || response.status === 403) throw hubUnauthorized();
    if (!response.ok) throw hubUnreachable(`the hub answered ${response.status}`);
    return response;
  }
}

/** The body as JSON, read up to `maxBytes`: a hub that sends gigabytes is refused, not buffered. */
async function readJson(response: Response, maxBytes: number): Promise<unknown> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw hubUnreachable("the hub's answer is too large");
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop early cancels the stream: the rest is never read.
  for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw hubUnreachable("the hub's answer is too large");
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw hubUnreachable("the hub's answer is not JSON");
  }
}

/** ` (path)` of a listing entry, for the error, when it has a printable one. */
function describeEntry(raw: unknown): string {
  const path = typeof raw === "object" && raw !== null && "path" in raw ? raw.path : undefined;
  return typeof path === "string" ? ` (${path.slice(0, 200)})` : "";
}
