export interface HubFile {
  path: string;
  size: number;
  /** The LFS object's sha256 (what a download is verified against); null for small non-LFS files. */
  sha256: string | null;
}

export class HubError extends Error {
  constructor(
    readonly kind: "notFound" | "unauthorized" | "unreachable" | "badResponse",
    message: string,
  ) {
    super(message);
  }
}

/** `org/name`, as the hub spells repository ids. */
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const TIMEOUT_MS = 10_000;

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
    if (!isRepoId(repo)) throw new HubError("notFound", `not a repository id: ${repo}`);
    if (!REVISION.test(revision)) throw new HubError("notFound", `not a revision: ${revision}`);
    const files: HubFile[] = [];
    let next: URL | null = new URL(
      `/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`,
      this.endpoint,
    );
    while (next) {
      const response = await this.get(next);
      const entries = await response.json();
      if (!Array.isArray(entries))
        throw new HubError("badResponse", "the hub's file listing is not a list");
      for (const entry of entries as {
        type?: string;
        path?: string;
        size?: number;
        lfs?: { oid?: string; size?: number };
      }[]) {
        if (entry.type !== "file" || typeof entry.path !== "string") continue;
        files.push({
          path: entry.path,
          size: entry.lfs?.size ?? entry.size ?? 0,
          sha256: entry.lfs?.oid ?? null,
        });
      }
      const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      next = link ? new URL(link, this.endpoint) : null;
      // Follow pages on the hub itself only.
      if (next && next.origin !== this.origin)
        throw new HubError("badResponse", "the hub's next page points elsewhere");
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

  private async get(url: URL): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: this.headersFor(url),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new HubError(
        "unreachable",
        `cannot reach ${this.origin}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (response.status === 404)
      throw new HubError("notFound", "no such repository or revision on the hub");
    if (response.status === 401 || response.status === 403)
      throw new HubError("unauthorized", "the hub refused access");
    if (!response.ok) throw new HubError("badResponse", `the hub answered ${response.status}`);
    return response;
  }
}
