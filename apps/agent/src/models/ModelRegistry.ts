import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, relative, sep } from "node:path";
import type { ModelSummary } from "@quantdeck/shared";
import { readGgufHeader, type GgufHeader } from "./readGgufHeader.js";
import { resolveInsideModels } from "./resolveInsideModels.js";

export interface LocalModel extends ModelSummary {
  path: string;
  header: GgufHeader;
}

/** `-00002-of-00006.gguf`: a shard that is not the first; the set is listed by its first. */
const LATER_SHARD = /-(\d{5})-of-\d{5}\.gguf$/i;

/**
 * The models this agent can load: GGUF files under the models folder (a split set once, by
 * its first shard) and the demo model. Ids are paths relative to the models folder.
 */
export class ModelRegistry {
  constructor(
    private readonly modelsDir: string,
    private readonly demo: () => LocalModel | null,
  ) {}

  async list(): Promise<LocalModel[]> {
    const models: LocalModel[] = [];
    const demo = this.demo();
    if (demo) models.push(demo);
    if (!existsSync(this.modelsDir)) return models;
    const names = readdirSync(this.modelsDir, { recursive: true, encoding: "utf8" })
      .filter((name) => name.toLowerCase().endsWith(".gguf"))
      .filter((name) => Number(LATER_SHARD.exec(name)?.[1] ?? 1) === 1)
      .sort();
    for (const name of names) {
      const id = name.split(sep).join("/");
      const model = await this.describe(id).catch(() => null);
      if (model) models.push(model);
    }
    return models;
  }

  /** The model with this id, or null; throws UnsafePathError for a name that escapes. */
  async find(id: string): Promise<LocalModel | null> {
    const demo = this.demo();
    if (demo && id === demo.id) return demo;
    const path = resolveInsideModels(this.modelsDir, id);
    if (!existsSync(path)) return null;
    return this.describe(id);
  }

  private async describe(id: string): Promise<LocalModel> {
    const path = resolveInsideModels(this.modelsDir, id);
    const header = await readGgufHeader(path);
    return {
      id,
      name: header.name || basename(path, ".gguf"),
      fileName: basename(path),
      sizeBytes: statSync(path).size,
      architecture: header.architecture,
      synthetic: header.synthetic,
      path,
      header,
    };
  }

  relativeId(path: string): string {
    return relative(this.modelsDir, path).split(sep).join("/");
  }
}

export function demoModelEntry(
  path: string,
  summary: ModelSummary,
  header: GgufHeader,
): LocalModel {
  return { ...summary, path, header };
}
