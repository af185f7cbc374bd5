import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHub } from "./startTestHub.js";

const dir = mkdtempSync(join(tmpdir(), "test-hub-"));
let hub: Awaited<ReturnType<typeof startTestHub>>;
const content = Buffer.from("GGUF".padEnd(5000, "x"));

beforeAll(async () => {
  mkdirSync(join(dir, "Q"), { recursive: true });
  for (let i = 1; i <= 3; i++) writeFileSync(join(dir, "Q", `m-0000${i}-of-00003.gguf`), content);
  writeFileSync(join(dir, "README.md"), "# test");
  hub = await startTestHub({ repos: [{ repo: "org/model", dir }], pageSize: 2 });
});
afterAll(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("test hub", () => {
  it("lists a repo's tree in pages, with LFS sha256 and sizes for GGUF files", async () => {
    const first = await fetch(`${hub.url}/api/models/org/model/tree/main?recursive=true`);
    const page = (await first.json()) as { path: string; lfs?: { oid: string; size: number } }[];
    expect(page.map((e) => e.path)).toEqual(["Q/m-00001-of-00003.gguf", "Q/m-00002-of-00003.gguf"]);
    expect(page[0]?.lfs).toEqual({
      oid: createHash("sha256").update(content).digest("hex"),
      size: 5000,
      pointerSize: 134,
    });
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
    const rest = (await (await fetch(`${hub.url}${next}`)).json()) as {
      path: string;
      lfs?: unknown;
    }[];
    expect(rest.map((e) => e.path)).toEqual(["Q/m-00003-of-00003.gguf", "README.md"]);
    expect(rest[1]?.lfs).toBeUndefined();
  });

  it("serves files with Range and ETag, and 404s for unknown repos", async () => {
    const part = await fetch(`${hub.url}/org/model/resolve/main/Q/m-00001-of-00003.gguf`, {
      headers: { Range: "bytes=0-3" },
    });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("GGUF");
    expect(part.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await fetch(`${hub.url}/api/models/nobody/nothing/tree/main`)).status).toBe(404);
  });
});
