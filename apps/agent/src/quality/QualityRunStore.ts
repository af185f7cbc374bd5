import { qualityRunSchema, type QualityRun } from "@quantdeck/shared";
import { AgentError } from "../errors/AgentError.js";
import type { Db } from "../store/openDatabase.js";

const unknownRun = (id: string) =>
  new AgentError({
    code: "unknownQualityRun",
    title: `No quality run ${id.slice(0, 64)}`,
    hint: "List the runs: GET /api/quality/runs.",
  });

type Row = { data: string };
const parse = (row: Row) => qualityRunSchema.parse(JSON.parse(row.data));

/**
 * Quality runs in SQLite, each as its JSON (a run is read and written whole), with the key
 * of its reference's logits so that a later run can find logits a run kept.
 */
export class QualityRunStore {
  constructor(private readonly db: Db) {}

  /** Newest first. */
  list(): QualityRun[] {
    return (
      this.db.prepare("SELECT data FROM quality_runs ORDER BY created_at DESC").all() as Row[]
    ).map(parse);
  }

  get(id: string): QualityRun {
    const row = this.db.prepare("SELECT data FROM quality_runs WHERE id = ?").get(id) as
      Row | undefined;
    if (!row) throw unknownRun(id);
    return parse(row);
  }

  /** The runs whose reference logits were computed with this key, newest first. */
  withLogitsKey(key: string): QualityRun[] {
    return (
      this.db
        .prepare("SELECT data FROM quality_runs WHERE logits_key = ? ORDER BY created_at DESC")
        .all(key) as Row[]
    ).map(parse);
  }

  /** Writes the run; the key of its logits is recorded when it is first written. */
  write(run: QualityRun, logitsKey?: string): void {
    this.db
      .prepare(
        `INSERT INTO quality_runs (id, created_at, data, logits_key) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data`,
      )
      .run(run.id, Date.parse(run.createdAt), JSON.stringify(run), logitsKey ?? null);
  }

  remove(id: string): void {
    this.db.prepare("DELETE FROM quality_runs WHERE id = ?").run(id);
  }
}
