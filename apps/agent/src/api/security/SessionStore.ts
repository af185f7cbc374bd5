import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../store/openDatabase.js";

/** How long a browser stays signed in without signing in again. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;

const hash = (value: string) => createHash("sha256").update(value).digest("hex");

/**
 * Browser sign-ins. The cookie holds a random session id, never the token: the id is
 * useless elsewhere, expires, and is revoked by signing out or by changing the token.
 * Only the id's hash is stored (a copied database file signs nobody in), with the
 * fingerprint of the token it was granted under, so sessions survive an agent restart
 * with the same token and die with a new one.
 */
export class SessionStore {
  private readonly fingerprint: string;

  constructor(
    private readonly db: Db,
    token: string,
    private readonly now: () => number = Date.now,
  ) {
    this.fingerprint = hash(`quantdeck-session:${token}`);
    db.prepare("DELETE FROM sessions WHERE token_fingerprint != ? OR expires_at <= ?").run(
      this.fingerprint,
      this.now(),
    );
  }

  /** A new session; the returned id goes into the cookie and nowhere else. */
  create(): string {
    // Expired sessions go as new ones come: the table holds live sign-ins only.
    this.db.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(this.now());
    const id = randomBytes(32).toString("base64url");
    this.db
      .prepare("INSERT INTO sessions (id_hash, token_fingerprint, expires_at) VALUES (?, ?, ?)")
      .run(hash(id), this.fingerprint, this.now() + SESSION_MAX_AGE_SECONDS * 1000);
    return id;
  }

  isValid(id: string): boolean {
    const row = this.db
      .prepare("SELECT token_fingerprint, expires_at FROM sessions WHERE id_hash = ?")
      .get(hash(id)) as { token_fingerprint: string; expires_at: number } | undefined;
    return (
      row !== undefined && row.token_fingerprint === this.fingerprint && row.expires_at > this.now()
    );
  }

  revoke(id: string): void {
    this.db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(hash(id));
  }
}
