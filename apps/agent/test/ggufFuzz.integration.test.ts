import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizeModel, tinyLlamaShape } from "@quantdeck/gguf-synth";
import { localModelsResponseSchema, type ModelSummary } from "@quantdeck/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "./support/seededRandom.js";
import { startAgent, type RunningAgent } from "./support/startAgent.js";

// Several hundred broken GGUF files dropped into the models folder: truncated at every
// interesting offset, counts and lengths made huge, value types unknown, bytes flipped.
const root = mkdtempSync(join(tmpdir(), "quantdeck-gguf-fuzz-"));
const modelsDir = join(root, "models");
let agent: RunningAgent;
let listed: ModelSummary[];
let written: string[];

function mutations(base: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  const copy = () => Buffer.from(base);
  // Truncated: inside the magic, the version, each count, the first key, and beyond.
  for (const at of [0, 1, 3, 4, 6, 8, 12, 16, 20, 24, 28, 31, 40, 64, 100, 256, 1000, 4096, 20_000])
    out.push([`truncated-${at}`, base.subarray(0, at)]);
  for (let i = 1; i <= 30; i++)
    out.push([`truncated-r${i}`, base.subarray(0, Math.floor((base.length * i) / 31))]);
  // Header fields (version u32 at 4; tensor count u64 at 8; KV count u64 at 16; the first
  // key's length u64 at 24) set to the largest, a negative, and off-by-a-lot values.
  const wide = [2n ** 64n - 1n, 2n ** 63n, 2n ** 32n, 10_000_001n, 1_000_000n, 0n];
  for (const offset of [8, 16, 24])
    for (const value of wide) {
      const b = copy();
      b.writeBigUInt64LE(value, offset);
      out.push([`u64-${offset}-${value}`, b]);
    }
  for (const version of [0, 1, 2, 4, 0xffffffff]) {
    const b = copy();
    b.writeUInt32LE(version, 4);
    out.push([`version-${version}`, b]);
  }
  // The first value's type (after the first key) made unknown.
  const keyLength = Number(base.readBigUInt64LE(24));
  for (const type of [13, 99, 0xffffffff]) {
    const b = copy();
    b.writeUInt32LE(type, 32 + keyLength);
    out.push([`type-${type}`, b]);
  }
  // Bytes flipped in the header region.
  const { next } = seededRandom(3407);
  for (let i = 0; i < 240; i++) {
    const b = copy();
    const flips = 1 + Math.floor(next() * 8);
    for (let f = 0; f < flips; f++) b[Math.floor(next() * 4096)] = Math.floor(next() * 256);
    out.push([`flip-${i}`, b]);
  }
  // Not GGUF at all.
  out.push(["empty", Buffer.alloc(0)], ["text", Buffer.from("not a model\n".repeat(100))]);
  return out;
}

beforeAll(async () => {
  const base = synthesizeModel({ path: join(root, "base.gguf"), shape: tinyLlamaShape });
  mkdirSync(modelsDir, { recursive: true });
  written = [];
  for (const [name, bytes] of mutations(readFileSync(base.files[0] ?? ""))) {
    writeFileSync(join(modelsDir, `${name}.gguf`), bytes);
    written.push(`${name}.gguf`);
  }
  agent = await startAgent({
    env: { QUANTDECK_GPU: "off", QUANTDECK_NO_DEMO_MODEL: "1", QUANTDECK_MODELS_DIR: modelsDir },
  });
  listed = localModelsResponseSchema.parse(
    await (await fetch(`${agent.url}/api/models`)).json(),
  ).models;
}, 120_000);
afterAll(async () => {
  await agent?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("malformed GGUF files in the models folder", () => {
  it("are all listed, the unreadable ones each with a reason, and the agent stays up", async () => {
    expect(written.length).toBeGreaterThanOrEqual(300);
    expect(listed.map((m) => m.id).sort()).toEqual([...written].sort());
    const unreadable = listed.filter((m) => m.unreadable !== null);
    // Every truncation and every impossible count breaks the header; flips may not.
    for (const id of written.filter((n) =>
      /^(truncated|empty|text|u64-(8|16|24)-(1844|9223))/.test(n),
    ))
      expect(listed.find((m) => m.id === id)?.unreadable, id).toEqual(expect.any(String));
    for (const model of unreadable) {
      expect(model.unreadable?.length).toBeGreaterThan(0);
      expect(model.unreadable).not.toContain(root);
    }
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
    expect(agent.process.exitCode).toBeNull();
  });

  it("answer a load with a clear 4xx, never a crash", async () => {
    for (const model of listed.filter((m) => m.unreadable !== null).slice(0, 20)) {
      const response = await fetch(`${agent.url}/api/runtime/load`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ model: model.id }),
      });
      expect(response.status, model.id).toBeGreaterThanOrEqual(400);
      expect(response.status, model.id).toBeLessThan(500);
      expect(await response.json()).toMatchObject({
        error: { title: expect.any(String) as string },
      });
    }
    expect((await fetch(`${agent.url}/api/health`)).status).toBe(200);
  });
});
