import {
  compareRunSchema,
  compareRunSummarySchema,
  type CompareRun,
  type CompareRunsResponse,
} from "@quantdeck/shared";
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

  /**
   * A page of run summaries, newest first, after `cursor` (`createdAt:id` of the last one
   * shown). Summarised in SQL: the answers' texts, code and output never leave the database.
   */
  listSummaries(limit: number, cursor?: string): CompareRunsResponse {
    const [createdAt, id] = cursor ? [Number(cursor.split(":")[0]), cursor.split(":")[1]] : [];
    const rows = this.db
      .prepare(
        `SELECT id, created_at AS createdAt, json_extract(data, '$.state') AS state,
           json_object('title', json_extract(data, '$.prompt.title'),
                       'kind', json_extract(data, '$.prompt.kind')) AS prompt,
           (SELECT json_group_array(json_object('label', json_extract(a.value, '$.label'),
                                                'state', json_extract(a.value, '$.state')))
              FROM json_each(data, '$.answers') AS a) AS answers
         FROM compare_runs
         WHERE ? IS NULL OR (created_at, id) < (?, ?)
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(createdAt ?? null, createdAt ?? 0, id ?? "", limit + 1) as Record<string, unknown>[];
    const runs = rows.slice(0, limit).flatMap((row) => {
      const parsed = compareRunSummarySchema.safeParse({
        ...row,
        prompt: JSON.parse(String(row.prompt)) as unknown,
        answers: JSON.parse(String(row.answers)) as unknown,
      });
      return parsed.success ? [parsed.data] : [];
    });
    const last = rows[limit - 1];
    return {
      runs,
      nextCursor:
        rows.length > limit && last ? `${String(last.createdAt)}:${String(last.id)}` : null,
    };
  }

  /** Runs that were queued or under way (to resume after a restart). */
  unfinished(): CompareRun[] {
    const rows = this.db
      .prepare(
        "SELECT data FROM compare_runs WHERE json_extract(data, '$.state') IN ('queued', 'running') ORDER BY created_at",
      )
      .all() as { data: string }[];
    return rows.map((r) => parse(r.data)).filter((r): r is CompareRun => r !== null);
  }

  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM compare_runs").get() as { n: number }).n;
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
