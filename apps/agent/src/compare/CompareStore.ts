import { compareRunSchema, type CompareRun } from "@quantdeck/shared";
import type { Db } from "../store/openDatabase.js";

/** Comparison runs in SQLite, each stored whole, newest first. */
export class CompareStore {
  constructor(private readonly db: Db) {}

  save(run: CompareRun): void {
    this.db
      .prepare(
        "INSERT INTO compare_runs (id, created_at, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
      )
      .run(run.id, run.createdAt, JSON.stringify(run));
  }

  get(id: string): CompareRun | null {
    const row = this.db.prepare("SELECT data FROM compare_runs WHERE id = ?").get(id) as
      { data: string } | undefined;
    return row ? parse(row.data) : null;
  }

  list(): CompareRun[] {
    const rows = this.db
      .prepare("SELECT data FROM compare_runs ORDER BY created_at DESC LIMIT 200")
      .all() as { data: string }[];
    return rows.map((r) => parse(r.data)).filter((r): r is CompareRun => r !== null);
  }

  /** The oldest run waiting to start, found in SQL rather than by parsing every run. */
  nextQueued(): CompareRun | null {
    const row = this.db
      .prepare(
        "SELECT data FROM compare_runs WHERE json_extract(data, '$.state') = 'queued' ORDER BY created_at LIMIT 1",
      )
      .get() as { data: string } | undefined;
    return row ? parse(row.data) : null;
  }

  delete(id: string): void {
    this.db.prepare("DELETE FROM compare_runs WHERE id = ?").run(id);
  }
}

/** A row written by an older version that no longer parses is skipped, not fatal. */
function parse(data: string): CompareRun | null {
  const parsed = compareRunSchema.safeParse(JSON.parse(data));
  return parsed.success ? parsed.data : null;
}
