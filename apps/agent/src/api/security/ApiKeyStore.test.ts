import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../store/openDatabase.js";
import { ApiKeyStore } from "./ApiKeyStore.js";

describe("ApiKeyStore", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const databasePath = () => {
    const dir = mkdtempSync(join(tmpdir(), "qd-keys-"));
    dirs.push(dir);
    return join(dir, "quantdeck.db");
  };

  it("shows counted use at once, and keeps it across a restart", () => {
    const path = databasePath();
    let clock = 1_000;
    const db = openDatabase(path);
    const store = new ApiKeyStore(db, () => clock);
    const { id, key } = store.create("ci", "inference");
    expect(store.find(key)?.id).toBe(id);

    store.recordRequest(id);
    clock = 2_000;
    store.recordRequest(id);
    store.addTokens(id, 7);
    // A listing reads what was counted a moment ago, though no timer has written it yet.
    expect(store.list()).toMatchObject([
      { id, requests: 2, tokens: 7, lastUsedAt: new Date(2_000).toISOString() },
    ]);

    store.recordRequest(id);
    store.addTokens(id, 3);
    store.close();
    db.close();

    const reopened = openDatabase(path);
    const again = new ApiKeyStore(reopened);
    expect(again.list()).toMatchObject([{ id, requests: 3, tokens: 10 }]);
    // The key is stored hashed: its text appears nowhere in the database.
    const rows = JSON.stringify(reopened.prepare("SELECT * FROM api_keys").all());
    expect(rows).not.toContain(key);
    again.close();
    reopened.close();
  });

  it("keeps a revoked key's use and opens nothing with it", () => {
    const db = openDatabase(databasePath());
    const store = new ApiKeyStore(db);
    const { id, key } = store.create("gone", "read");
    store.recordRequest(id);
    expect(store.revoke("gone")).toMatchObject({ id, requests: 1 });
    expect(store.find(key)).toBeNull();
    expect(store.list()).toEqual([]);
    store.close();
    db.close();
  });
});
