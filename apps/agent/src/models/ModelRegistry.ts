import { existsSync, statSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative as relativePath, sep } from "node:path";
import type { ModelSummary } from "@quantdeck/shared";
import { readModelHeaders } from "../catalog/readModelAnatomy.js";
import { headerFromMetadata, readGgufHeader, type GgufHeader } from "./readGgufHeader.js";
import { resolveInsideModels, UnsafePathError } from "./resolveInsideModels.js";
import { walkModelFolder } from "./walkModelFolder.js";
import { log } from "../util/log.js";

export interface LocalModel extends ModelSummary {
  path: string;
  /** Every file of the model on disk: the shards present, or the one file. */
  files: string[];
  header: GgufHeader;
}

/** A folder models are found in; ids of its models start with `prefix`. */
export interface ModelRoot {
  source: "models" | "huggingface" | "folder";
  dir: string;
  prefix: string;
}

const SHARD = /-(\d{5})-of-(\d{5})\.gguf$/i;

/** The header of a model whose header was not read (shards missing, or unreadable). */
const UNKNOWN_HEADER: GgufHeader = {
  architecture: "unknown",
  name: "",
  synthetic: false,
  trainContextSize: 0,
  kvHeadDims: [],
  mla: false,
};

/**
 * The models this agent can load: GGUF files in the models folder (ids are their paths
 * there), the Hugging Face cache (`hf:ORG/NAME/FILE`), folders the user added
 * (`dirN:PATH`), and the demo model. A split set is one model, named by its first shard,
 * and flagged incomplete while shards are missing. Every id resolves through
 * resolveInsideModels, so none reaches outside its folder.
 */
export class ModelRegistry {
  private readonly cache = new Map<string, { key: string; model: LocalModel }>();
  private readonly warnedTruncated = new Set<string>();

  constructor(
    /** Read on every call: folders added in the settings apply at once. */
    private readonly roots: () => ModelRoot[],
    private readonly demo: () => LocalModel | null,
  ) {}

  async list(): Promise<LocalModel[]> {
    const models: LocalModel[] = [];
    const demo = this.demo();
    if (demo) models.push(demo);
    for (const root of this.roots()) {
      for (const relative of await this.findFiles(root)) {
        // A file that is not GGUF (truncated, corrupt, hostile) is listed with the reason, so
        // the user sees why it will not load; reading it never takes the agent down.
        models.push(
          await this.describe(root, relative).catch((error: unknown) =>
            unreadableModel(root, relative, error),
          ),
        );
      }
    }
    return models;
  }

  /** The model with this id, or null; throws UnsafePathError for a name that escapes its folder. */
  async find(id: string): Promise<LocalModel | null> {
    const demo = this.demo();
    if (demo && id === demo.id) return demo;
    const root = [...this.roots()]
      .sort((a, b) => b.prefix.length - a.prefix.length)
      .find((r) => id.startsWith(r.prefix));
    if (!root) return null;
    const relative = id.slice(root.prefix.length);
    if (!existsSync(resolveInsideModels(root.dir, relative))) return null;
    return this.describe(root, relative);
  }

  /**
   * The files of a model in the models folder that deleting it removes, each checked by its
   * real path: a symlinked folder inside the models folder may point anywhere, and what it
   * points to is not ours to delete. (A file that is itself a link is removed as a link.)
   */
  async deletableFiles(model: LocalModel): Promise<string[]> {
    const root = this.roots().find((r) => r.source === "models");
    if (!root || model.source !== "models") return [];
    const realRoot = await realpath(root.dir);
    for (const file of model.files) {
      const folder = await realpath(dirname(file));
      const rel = relativePath(realRoot, folder);
      if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel))
        throw new UnsafePathError(`${model.id} lives outside the models folder through a link`);
    }
    return model.files;
  }

  /** GGUF files of a root, relative and with "/" separators; a split set once, by its first shard. */
  private async findFiles(root: ModelRoot): Promise<string[]> {
    if (!existsSync(root.dir)) return [];
    const walk = await walkModelFolder(root.dir);
    if (walk.truncated && !this.warnedTruncated.has(root.dir)) {
      this.warnedTruncated.add(root.dir);
      log.warn("model folder too large, searched in part", { folder: root.dir });
    }
    let names = walk.files;
    // In the hub cache only snapshots hold usable files (blobs are the same bytes by hash).
    if (root.source === "huggingface")
      names = names.filter((name) => /^models--[^/]+\/snapshots\/[^/]+\//.test(name));
    const sets = new Map<string, string>();
    for (const name of names) {
      const key = name.replace(SHARD, "");
      const first = name.replace(
        SHARD,
        (_, _n: string, count: string) => `-00001-of-${count}.gguf`,
      );
      sets.set(key, first);
    }
    return [...sets.values()].sort();
  }

  private async describe(root: ModelRoot, relative: string): Promise<LocalModel> {
    const path = resolveInsideModels(root.dir, relative);
    const shardMatch = SHARD.exec(relative);
    const shardCount = shardMatch ? Number(shardMatch[2]) : 1;
    const shardPaths = shardMatch
      ? Array.from({ length: shardCount }, (_, i) =>
          path.replace(SHARD, `-${String(i + 1).padStart(5, "0")}-of-${shardMatch[2]}.gguf`),
        )
      : [path];
    const files = shardPaths.filter((p) => existsSync(p));
    const stats = files.map((p) => statSync(p));
    const present = stats.length;
    const sizeBytes = stats.reduce((sum, st) => sum + st.size, 0);
    const key = `${sizeBytes}:${present}:${stats.map((st) => st.mtimeMs).join(",")}`;
    const cached = this.cache.get(path);
    if (cached?.key === key) return cached.model;

    const id = root.prefix + relative;
    const complete = present === shardCount;
    let header = UNKNOWN_HEADER;
    let parameters: number | null = null;
    let quantType: string | null = null;
    if (complete) {
      // One read of the headers gives both what loading needs and the model's anatomy.
      const { metadata, anatomy } = await readModelHeaders(path, { checkTensorData: true });
      header = headerFromMetadata(metadata);
      parameters = anatomy.parameters;
      quantType = anatomy.dominantType;
    } else if (existsSync(path)) {
      header = await readGgufHeader(path);
    }
    const model: LocalModel = {
      id,
      name: header.name || displayName(root, relative),
      fileName: basename(path),
      sizeBytes,
      architecture: header.architecture,
      synthetic: header.synthetic,
      source: root.source,
      parameters,
      quantType,
      trainContextSize: header.trainContextSize || null,
      shards: shardMatch ? { count: shardCount, present } : null,
      complete,
      unreadable: null,
      path,
      files,
      header,
    };
    this.cache.set(path, { key, model });
    return model;
  }
}

function unreadableModel(root: ModelRoot, relative: string, error: unknown): LocalModel {
  const message = error instanceof Error ? error.message : String(error);
  const path = join(root.dir, relative);
  return {
    id: root.prefix + relative,
    name: displayName(root, relative),
    fileName: basename(relative),
    sizeBytes: 0,
    architecture: "unknown",
    synthetic: false,
    source: root.source,
    parameters: null,
    quantType: null,
    trainContextSize: null,
    shards: null,
    complete: false,
    // Never a local path in what the agent answers.
    unreadable: message
      .split(path)
      .join(basename(relative))
      .split(root.dir)
      .join("…")
      .slice(0, 300),
    path,
    files: [],
    header: UNKNOWN_HEADER,
  };
}

/** `models--unsloth--DeepSeek-V3-0324-GGUF/snapshots/abc/UD-Q2_K_XL/x.gguf` → `unsloth/DeepSeek-V3-0324-GGUF: x`. */
function displayName(root: ModelRoot, relative: string): string {
  const file = basename(relative, ".gguf").replace(SHARD, "");
  if (root.source !== "huggingface") return file;
  const repo = /^models--([^/]+)\//.exec(relative)?.[1]?.split("--").join("/");
  return repo ? `${repo}: ${file}` : file;
}

export function modelRoots(
  modelsDir: string,
  huggingFaceCache: string,
  extraDirs: string[],
): ModelRoot[] {
  return [
    { source: "models", dir: modelsDir, prefix: "" },
    { source: "huggingface", dir: huggingFaceCache, prefix: "hf:" },
    ...extraDirs.map((dir, i) => ({ source: "folder" as const, dir, prefix: `dir${i + 1}:` })),
  ];
}
