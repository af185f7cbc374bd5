import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type Db = Database.Database;

/** Schema changes in order; each runs once, in a transaction, and bumps user_version. */
const MIGRATIONS: string[] = [
  `CREATE TABLE downloads (
     id TEXT PRIMARY KEY,
     repo TEXT NOT NULL,
     revision TEXT NOT NULL,
     include TEXT NOT NULL,
     state TEXT NOT NULL,
     error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE download_files (
     download_id TEXT NOT NULL REFERENCES downloads(id) ON DELETE CASCADE,
     path TEXT NOT NULL,
     size INTEGER NOT NULL,
     sha256 TEXT,
     etag TEXT,
     state TEXT NOT NULL,
     PRIMARY KEY (download_id, path)
   );
   CREATE TABLE download_chunks (
     download_id TEXT NOT NULL,
     path TEXT NOT NULL,
     chunk INTEGER NOT NULL,
     PRIMARY KEY (download_id, path, chunk),
     FOREIGN KEY (download_id, path) REFERENCES download_files(download_id, path) ON DELETE CASCADE
   );`,
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // A comparison run is one document (prompt, targets, answers with outputs and checks).
  `CREATE TABLE compare_runs (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     data TEXT NOT NULL
   );`,
  // Browser sign-ins: only a hash of each session id is kept, with the fingerprint of the
  // token it was granted under (a new token revokes them all).
  `CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     token_fingerprint TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );`,
  // Named API keys: only each key's hash is kept; revoked keys stay, marked, for the record.
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     scope TEXT NOT NULL,
     key_hash TEXT NOT NULL UNIQUE,
     prefix TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_used_at INTEGER,
     requests INTEGER NOT NULL DEFAULT 0,
     tokens INTEGER NOT NULL DEFAULT 0,
     revoked_at INTEGER
   );`,
  // Quality runs, each as its JSON (a run is read and written whole), and its evaluation
  // text apart (megabytes, read only by the tool).
  `CREATE TABLE quality_runs (
     id TEXT PRIMARY KEY,
     created_at INTEGER NOT NULL,
     data TEXT NOT NULL
   );`,
  // What a run's reference logits were computed from (reference file, text, context,
  // chunks): a later run with the same finds the logits a run kept.
  `ALTER TABLE quality_runs ADD COLUMN logits_key TEXT;
   CREATE INDEX quality_runs_logits_key ON quality_runs (logits_key);`,
  // Other agents this one manages; their tokens stay here (the file is this user's only).
  `CREATE TABLE boxes (
     name TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     token TEXT,
     created_at INTEGER NOT NULL
   );`,
];

/**
 * Opens (and migrates) the agent's SQLite file. WAL for concurrent readers; synchronous
 * FULL so that what was committed survives a crash or a power cut — download progress is
 * committed a few times a second at most, so the cost is small.
 */
export function openDatabase(path: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // It holds a hub token: readable by this user only.
  chmodSync(path, 0o600);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  const version = db.pragma("user_version", { simple: true }) as number;
  MIGRATIONS.slice(version).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + i + 1}`);
    })();
  });
  return db;
}
