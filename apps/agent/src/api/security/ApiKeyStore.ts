import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ApiKey, CreatedKey, KeyScope } from "@quantdeck/shared";
import { AgentError } from "../../errors/AgentError.js";
import type { Db } from "../../store/openDatabase.js";

/** A key as the request guard knows it: who is asking, and what they may reach. */
export interface KeyHolder {
  id: string;
  name: string;
  scope: KeyScope;
}

interface Row {
  id: string;
  name: string;
  scope: KeyScope;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  requests: number;
  tokens: number;
}

const hash = (key: string) => createHash("sha256").update(key).digest("hex");
/** "qd_" and 32 random bytes: recognisable in a leak scan, unguessable. */
const newKey = () => `qd_${randomBytes(32).toString("base64url")}`;
const PREFIX_CHARS = 9;

const toApiKey = (row: Row): ApiKey => ({
  id: row.id,
  name: row.name,
  scope: row.scope,
  prefix: row.prefix,
  createdAt: new Date(row.created_at).toISOString(),
  lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  requests: row.requests,
  tokens: row.tokens,
});

/** Use not yet written to the database. */
interface PendingUse {
  requests: number;
  tokens: number;
  lastUsedAt: number | null;
}

/** How often counted use is written: often enough that a crash loses little. */
const FLUSH_INTERVAL_MS = 5_000;

/**
 * Named API keys besides the admin token, each with a scope. A key is shown once, when it
 * is made; only its SHA-256 is stored (a copied database file opens nothing). Use is
 * counted per key: requests, generated tokens, last use.
 *
 * Counting happens on every request, so it stays in memory and is written in one
 * transaction every few seconds, before any read of the counts, and on close: a synchronous
 * SQLite write per request would stall the event loop under load.
 */
export class ApiKeyStore {
  private readonly revokeListeners = new Set<(id: string) => void>();
  private readonly pending = new Map<string, PendingUse>();
  private readonly flushTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.flushTimer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
  }

  create(name: string, scope: KeyScope): CreatedKey {
    const exists = this.db
      .prepare("SELECT 1 FROM api_keys WHERE name = ? AND revoked_at IS NULL")
      .get(name);
    if (exists)
      throw new AgentError({
        code: "keyExists",
        title: `A key named ${name} exists`,
        hint: "Pick another name, or revoke that key first.",
      });
    // A revoked key's name may be used again; its row keeps its record under a new name.
    this.db
      .prepare("UPDATE api_keys SET name = name || ' (revoked ' || id || ')' WHERE name = ?")
      .run(name);
    const key = newKey();
    const row: Row = {
      id: randomUUID(),
      name,
      scope,
      prefix: key.slice(0, PREFIX_CHARS),
      created_at: this.now(),
      last_used_at: null,
      requests: 0,
      tokens: 0,
    };
    this.db
      .prepare(
        "INSERT INTO api_keys (id, name, scope, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(row.id, name, scope, hash(key), row.prefix, row.created_at);
    return { ...toApiKey(row), key };
  }

  /** Live keys, oldest first. */
  list(): ApiKey[] {
    this.flush();
    return (
      this.db
        .prepare("SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, name")
        .all() as Row[]
    ).map(toApiKey);
  }

  /** The live key a request presents, if it is one. */
  find(key: string): KeyHolder | null {
    if (!key.startsWith("qd_")) return null;
    const row = this.db
      .prepare("SELECT id, name, scope FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")
      .get(hash(key)) as KeyHolder | undefined;
    return row ?? null;
  }

  /** Revokes a key by id or name; open requests made with it are closed (onRevoke). */
  revoke(idOrName: string): ApiKey {
    this.flush();
    const row = this.db
      .prepare("SELECT * FROM api_keys WHERE (id = ? OR name = ?) AND revoked_at IS NULL")
      .get(idOrName, idOrName) as Row | undefined;
    if (!row)
      throw new AgentError({
        code: "unknownKey",
        title: `No API key ${idOrName}`,
        hint: "List the keys (quantdeck key ls, or Settings → API keys).",
      });
    this.db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").run(this.now(), row.id);
    for (const listener of this.revokeListeners) listener(row.id);
    return toApiKey(row);
  }

  onRevoke(listener: (id: string) => void): void {
    this.revokeListeners.add(listener);
  }

  recordRequest(id: string): void {
    const use = this.pendingUse(id);
    use.requests += 1;
    use.lastUsedAt = this.now();
  }

  addTokens(id: string, tokens: number): void {
    this.pendingUse(id).tokens += tokens;
  }

  /** Writes the counted use in one transaction. */
  flush(): void {
    if (this.pending.size === 0) return;
    const update = this.db.prepare(
      "UPDATE api_keys SET requests = requests + ?, tokens = tokens + ?, last_used_at = COALESCE(?, last_used_at) WHERE id = ?",
    );
    const uses = [...this.pending];
    this.pending.clear();
    this.db.transaction(() => {
      for (const [id, use] of uses) update.run(use.requests, use.tokens, use.lastUsedAt, id);
    })();
  }

  /** Stops the timer and writes what is counted; call before the database closes. */
  close(): void {
    clearInterval(this.flushTimer);
    this.flush();
  }

  private pendingUse(id: string): PendingUse {
    let use = this.pending.get(id);
    if (!use) {
      use = { requests: 0, tokens: 0, lastUsedAt: null };
      this.pending.set(id, use);
    }
    return use;
  }
}
