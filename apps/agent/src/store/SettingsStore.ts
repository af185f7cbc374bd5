import type { Db } from "./openDatabase.js";

import type { BenchResult, EnginePreference } from "@quantdeck/shared";

export interface StoredSettings {
  extraModelDirs: string[];
  hubToken: string | null;
  /** Chosen on the dashboard; null follows QUANTDECK_ENGINE (default "auto"). */
  enginePreference: EnginePreference | null;
  /** The last llama-bench result per model. */
  benchmarks: BenchResult[];
}

const DEFAULTS: StoredSettings = {
  extraModelDirs: [],
  hubToken: null,
  enginePreference: null,
  benchmarks: [],
};

/** Settings changed from the dashboard, kept in SQLite; reads are cheap and always current. */
export class SettingsStore {
  private cached: StoredSettings;

  constructor(private readonly db: Db) {
    const rows = db.prepare("SELECT key, value FROM settings").all() as {
      key: keyof StoredSettings;
      value: string;
    }[];
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    this.cached = { ...DEFAULTS, ...(stored as Partial<StoredSettings>) };
  }

  get(): StoredSettings {
    return this.cached;
  }

  update(change: Partial<StoredSettings>): StoredSettings {
    const next = { ...this.cached, ...change };
    const upsert = this.db.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(change)) upsert.run(key, JSON.stringify(value));
    })();
    this.cached = next;
    return next;
  }
}
