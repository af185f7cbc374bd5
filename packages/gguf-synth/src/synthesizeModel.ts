import { mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { deepseek2Model } from "./architectures/deepseek2.js";
import { llamaModel } from "./architectures/llama.js";
import { readableOutputHooks } from "./architectures/readableOutput.js";
import type { ModelShape } from "./architectures/shapes.js";
import { createTensorFactory, type TensorTypeChooser } from "./architectures/tensorFactory.js";
import { DEEPSEEK_V3_CHAT_TEMPLATE } from "./chatTemplate.js";
import { fileTypeFor, tensorByteSize, type GgmlTypeName } from "./ggmlTypes.js";
import { meta, type Metadata, type MetadataValue } from "./metadata.js";
import type { TensorSpec } from "./tensorSpec.js";
import { buildVocab } from "./tokenizer/buildVocab.js";
import { writeGguf } from "./writeGguf.js";

export interface SynthesizeOptions {
  /** Where to write. With `shards` > 1 this names the set: `X.gguf` becomes `X-00001-of-0000N.gguf`, … */
  path: string;
  shape: ModelShape;
  /** Type of the matrices. Defaults to "Q8_0". */
  type?: GgmlTypeName;
  /** Per-tensor type overrides, to mimic a mixed ("dynamic") quantization. */
  tensorType?: TensorTypeChooser;
  /** Seed for every weight. Defaults to 1. */
  seed?: number;
  /** Number of files to split the model into. Defaults to 1. */
  shards?: number;
  /** Write tensor infos only (no weights): a small file describing a model of any size. Defaults to false. */
  headerOnly?: boolean;
  /** `general.name`. Defaults to a name built from the shape. */
  name?: string;
  /** Shape the weights so the model only emits whole words (see readableOutput.ts). Defaults to true. */
  readableOutput?: boolean;
  /**
   * Shape them instead so it emits only lone UTF-8 continuation bytes (0x80–0xBF), never
   * valid text: what a broken quant's output looks like to the engines. Defaults to false.
   */
  brokenUtf8?: boolean;
  /** Metadata keys to leave out, to make deliberately broken files for tests. Defaults to none. */
  omitMetadata?: string[];
  /** `tokenizer.chat_template`. Defaults to DeepSeek-V3's. */
  chatTemplate?: string;
  /** More control tokens, after the rest of the vocabulary (e.g. DeepSeek's tool markers). */
  specialTokens?: readonly string[];
}

export interface SynthesizedModel {
  /** The files written, the first shard first. */
  files: string[];
  parameters: number;
  /** Bytes of tensor data described (the size the model would have on disk). */
  tensorBytes: number;
}

/** Marks every file this package writes, so a product can label it as synthetic. */
export const SYNTHETIC_MARKER_KEY = "quantdeck.synthetic";

/**
 * The model a call to synthesizeModel would write — metadata and tensor specs — without
 * writing anything: what a planner needs to reason about a model it has no file for.
 */
export function describeModel(options: Omit<SynthesizeOptions, "path">) {
  const { shape } = options;
  const type = options.type ?? "Q8_0";
  const vocab = buildVocab(options.specialTokens);
  const make = createTensorFactory(type, options.tensorType);
  const hooks = options.brokenUtf8
    ? readableOutputHooks(shape.embeddingLength, new Set(vocab.byteIds.slice(0x80, 0xc0)))
    : options.readableOutput === false
      ? undefined
      : readableOutputHooks(shape.embeddingLength, vocab.emittable);
  const model =
    shape.architecture === "llama"
      ? llamaModel(shape, vocab.tokens.length, make, hooks)
      : deepseek2Model(shape, vocab.tokens.length, make, hooks);

  const parameters = model.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
  const name = options.name ?? defaultName(shape, type, parameters);
  const metadata: [string, MetadataValue][] = [
    ["general.architecture", meta.string(shape.architecture)],
    ["general.name", meta.string(name)],
    [
      "general.description",
      meta.string("Synthetic model written by Quantdeck gguf-synth: random weights, no training."),
    ],
    ["general.file_type", meta.u32(fileTypeFor[type] ?? 0)],
    ["general.quantization_version", meta.u32(2)],
    [SYNTHETIC_MARKER_KEY, meta.bool(true)],
    ...model.metadata,
    ["tokenizer.ggml.model", meta.string("llama")],
    ["tokenizer.ggml.tokens", meta.strings(vocab.tokens)],
    ["tokenizer.ggml.scores", meta.f32s(vocab.scores)],
    ["tokenizer.ggml.token_type", meta.i32s(vocab.types)],
    ["tokenizer.ggml.bos_token_id", meta.u32(vocab.bosId)],
    ["tokenizer.ggml.eos_token_id", meta.u32(vocab.eosId)],
    ["tokenizer.ggml.unknown_token_id", meta.u32(vocab.unkId)],
    ["tokenizer.ggml.add_bos_token", meta.bool(true)],
    ["tokenizer.ggml.add_eos_token", meta.bool(false)],
    ["tokenizer.chat_template", meta.string(options.chatTemplate ?? DEEPSEEK_V3_CHAT_TEMPLATE)],
  ];
  return { metadata, tensors: model.tensors, parameters };
}

export function synthesizeModel(options: SynthesizeOptions): SynthesizedModel {
  const { seed = 1, shards = 1, headerOnly = false } = options;
  const { metadata, tensors: allTensors, parameters } = describeModel(options);
  const model = { tensors: allTensors };
  mkdirSync(dirname(options.path), { recursive: true });
  const groups = splitTensors(model.tensors, shards);
  const files = groups.map((_, i) =>
    shards > 1 ? shardPath(options.path, i + 1, shards) : options.path,
  );
  let tensorBytes = 0;
  groups.forEach((tensors, i) => {
    const split: [string, MetadataValue][] =
      shards > 1
        ? [
            ["split.no", meta.u16(i)],
            ["split.count", meta.u16(shards)],
            ["split.tensors.count", meta.i32(model.tensors.length)],
          ]
        : [];
    // As llama.cpp's gguf-split does: the model's metadata lives in the first shard only.
    const kept = metadata.filter(([key]) => !options.omitMetadata?.includes(key));
    const entries: Metadata = new Map(i === 0 ? [...kept, ...split] : split);
    const path = files[i] ?? options.path;
    tensorBytes += writeGguf({ path, metadata: entries, tensors, seed, headerOnly }).dataBytes;
  });
  return { files, parameters, tensorBytes };
}

/** `dir/NAME.gguf`, 2, 6 → `dir/NAME-00002-of-00006.gguf`, the naming llama.cpp loads as one set. */
export function shardPath(path: string, shardNumber: number, shardCount: number): string {
  const stem = basename(path).replace(/\.gguf$/i, "");
  const pad = (n: number) => String(n).padStart(5, "0");
  return join(dirname(path), `${stem}-${pad(shardNumber)}-of-${pad(shardCount)}.gguf`);
}

/** Splits tensors, in order, into `count` groups of roughly equal bytes. */
function splitTensors(tensors: readonly TensorSpec[], count: number): TensorSpec[][] {
  if (count < 1 || !Number.isInteger(count))
    throw new Error(`shards must be a positive integer, got ${count}`);
  if (count > tensors.length)
    throw new Error(`cannot split ${tensors.length} tensors into ${count} shards`);
  const sizes = tensors.map((t) => tensorByteSize(t.type, t.shape));
  const total = sizes.reduce((a, b) => a + b, 0);
  const groups: TensorSpec[][] = [[]];
  let accumulated = 0;
  tensors.forEach((tensor, i) => {
    const remainingTensors = tensors.length - i;
    const remainingGroups = count - groups.length;
    const current = groups[groups.length - 1] ?? [];
    const full = accumulated >= (total * groups.length) / count;
    if (
      current.length > 0 &&
      remainingGroups > 0 &&
      (full || remainingTensors <= remainingGroups)
    ) {
      groups.push([tensor]);
    } else {
      current.push(tensor);
    }
    accumulated += sizes[i] ?? 0;
  });
  return groups;
}

function defaultName(shape: ModelShape, type: GgmlTypeName, parameters: number): string {
  const size =
    parameters >= 1e9 ? `${(parameters / 1e9).toFixed(1)}B` : `${Math.round(parameters / 1e6)}M`;
  return `synthetic-${shape.architecture}-${size}-${type}`;
}
