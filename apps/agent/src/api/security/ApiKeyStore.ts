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

/**
 * Named API keys besides the admin token, each with a scope. A key is shown once, when it
 * is made; only its SHA-256 is stored (a copied database file opens nothing). Use is
 * counted per key: requests, generated tokens, last use.
 */
export class ApiKeyStore {
  private readonly revokeListeners = new Set<(id: string) => void>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

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
    this.db
      .prepare("UPDATE api_keys SET requests = requests + 1, last_used_at = ? WHERE id = ?")
      .run(this.now(), id);
  }

  addTokens(id: string, tokens: number): void {
    this.db.prepare("UPDATE api_keys SET tokens = tokens + ? WHERE id = ?").run(tokens, id);
  }
}
