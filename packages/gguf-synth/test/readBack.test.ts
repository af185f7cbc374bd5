import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf, ggufAllShards } from "@huggingface/gguf";
import { afterAll, describe, expect, it } from "vitest";
import {
  deepseekV3Shape,
  demoDeepseek2Shape,
  dynamicQuantMix,
  synthesizeModel,
  tensorByteSize,
  tinyLlamaShape,
  type GgmlTypeName,
} from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "gguf-synth-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// @huggingface/gguf is an independent GGUF reader: it checks what we write.
async function read(path: string) {
  const result = await gguf(path, { allowLocalFile: true, computeParametersCount: true });
  // Keys vary by architecture; index them as plain records.
  return { ...result, metadata: result.metadata as Record<string, unknown> };
}

async function readHeaderOnly(path: string) {
  // Without the parameter count: the reader rightly refuses a file this small to hold 671 B.
  const result = await gguf(path, { allowLocalFile: true });
  return { ...result, metadata: result.metadata as Record<string, unknown> };
}

describe("files read back by an independent reader", () => {
  it("has the metadata and tensor sizes that were written", async () => {
    const path = join(dir, "demo.gguf");
    const written = synthesizeModel({ path, shape: demoDeepseek2Shape, type: "Q8_0", seed: 7 });
    const { metadata, tensorInfos, tensorDataOffset, parameterCount } = await read(path);

    expect(metadata.version).toBe(3);
    expect(metadata["general.architecture"]).toBe("deepseek2");
    expect(metadata["deepseek2.block_count"]).toBe(4);
    expect(metadata["deepseek2.expert_count"]).toBe(8);
    expect(metadata["deepseek2.attention.kv_lora_rank"]).toBe(64);
    expect(metadata["quantdeck.synthetic"]).toBe(true);
    expect(metadata["tokenizer.ggml.tokens"]).toContain("<｜User｜>");
    expect(metadata["tokenizer.chat_template"]).toContain("<｜Assistant｜>");
    expect(parameterCount).toBe(written.parameters);

    // Offsets are consecutive and aligned; the file ends where the last tensor does.
    let expectedOffset = 0n;
    let lastEnd = 0n;
    for (const info of tensorInfos) {
      const shape = info.shape.map(Number);
      const type = Object.entries(typeIds).find(
        ([, id]) => id === Number(info.dtype),
      )?.[0] as GgmlTypeName;
      expect(info.offset).toBe(expectedOffset);
      const bytes = BigInt(tensorByteSize(type, shape));
      lastEnd = info.offset + bytes;
      expectedOffset = ((lastEnd + 31n) / 32n) * 32n;
    }
    expect(BigInt(statSync(path).size)).toBe(tensorDataOffset + expectedOffset);
    expect(tensorInfos.find((t) => t.name === "blk.1.ffn_gate_inp.weight")?.dtype).toBe(0);
    expect(
      tensorInfos.find((t) => t.name === "blk.1.ffn_up_exps.weight")?.shape.map(Number),
    ).toEqual([128, 64, 8]);
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = join(dir, "a.gguf");
    const b = join(dir, "b.gguf");
    const c = join(dir, "c.gguf");
    synthesizeModel({ path: a, shape: tinyLlamaShape, seed: 1 });
    synthesizeModel({ path: b, shape: tinyLlamaShape, seed: 1 });
    synthesizeModel({ path: c, shape: tinyLlamaShape, seed: 2 });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).equals(readFileSync(c))).toBe(false);
  });

  it("splits into shards that carry the split keys and all the tensors", async () => {
    const written = synthesizeModel({
      path: join(dir, "split.gguf"),
      shape: tinyLlamaShape,
      shards: 3,
    });
    expect(written.files.map((f) => f.slice(dir.length + 1))).toEqual([
      "split-00001-of-00003.gguf",
      "split-00002-of-00003.gguf",
      "split-00003-of-00003.gguf",
    ]);
    const { shards, parameterCount } = await ggufAllShards(written.files[0] ?? "", {
      allowLocalFile: true,
      computeParametersCount: true,
    } as never);
    expect(shards).toHaveLength(3);
    shards.forEach((shard, i) => {
      const metadata = shard.metadata as Record<string, unknown>;
      expect(metadata["split.no"]).toBe(i);
      expect(metadata["split.count"]).toBe(3);
      expect(metadata["split.tensors.count"]).toBe(2 + 9 * 2 + 1);
    });
    expect(
      (shards[1]?.metadata as Record<string, unknown>)["general.architecture"],
    ).toBeUndefined();
    expect(parameterCount).toBe(written.parameters);
  });

  it("describes DeepSeek-V3-0324 at its real shape without writing the weights", async () => {
    const path = join(dir, "v3-header.gguf");
    const written = synthesizeModel({
      path,
      shape: deepseekV3Shape,
      headerOnly: true,
      type: "Q2_K",
      tensorType: dynamicQuantMix("Q2_K", "Q3_K", "Q4_K"),
    });
    expect(statSync(path).size).toBeLessThan(5_000_000);
    const { metadata, tensorInfos } = await readHeaderOnly(path);
    expect(metadata["deepseek2.block_count"]).toBe(61);
    expect(metadata["deepseek2.leading_dense_block_count"]).toBe(3);
    expect(metadata["deepseek2.expert_count"]).toBe(256);
    expect(tensorInfos.filter((t) => t.name.endsWith("ffn_down_exps.weight"))).toHaveLength(58);
    // ~671 B parameters plus the synthetic vocabulary's embeddings.
    expect(written.parameters).toBeGreaterThan(650e9);
    expect(written.parameters).toBeLessThan(690e9);
    // A 2.7-bit mix of 671 B parameters: between 200 and 260 GB (the real UD-Q2_K_XL is 231 GB).
    expect(written.tensorBytes / 1e9).toBeGreaterThan(200);
    expect(written.tensorBytes / 1e9).toBeLessThan(260);
  });
});

const typeIds: Record<string, number> = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q8_0: 8,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
};
