import { opendir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

/** Where the agent makes files for the models folder (a quant being written): never a model. */
export const WORK_FOLDER = ".quantdeck-work";

export interface WalkLimits {
  /** Folders below the root that are searched. */
  maxDepth: number;
  /** Entries looked at (files and folders) before the walk stops. */
  maxEntries: number;
}

/** Deep enough for `ORG/NAME/QUANT/file.gguf` and the hub cache's `models--X/snapshots/REV/QUANT/`. */
export const MODEL_FOLDER_LIMITS: WalkLimits = { maxDepth: 8, maxEntries: 50_000 };

export interface WalkResult {
  /** GGUF files, relative to the root with "/" separators. */
  files: string[];
  /** True when a limit ended the walk early: the folder is too big to be a models folder. */
  truncated: boolean;
}

/**
 * Finds the GGUF files under `root` without blocking the event loop (every directory read
 * is asynchronous) and without being led astray: symlinked folders are followed once each
 * (a loop, or two links to one folder, are walked once), and depth and entry counts are
 * capped, so `/` or a folder of a million files ends quickly instead of running the agent
 * out of memory. Unreadable folders are skipped.
 */
export async function walkModelFolder(
  root: string,
  limits: WalkLimits = MODEL_FOLDER_LIMITS,
): Promise<WalkResult> {
  const files: string[] = [];
  const seen = new Set<string>();
  let entries = 0;
  let truncated = false;

  const visit = async (dir: string, relative: string, depth: number): Promise<void> => {
    const real = await realpath(dir).catch(() => null);
    if (real === null || seen.has(real)) return;
    seen.add(real);
    const handle = await opendir(dir).catch(() => null);
    if (!handle) return;
    const folders: [string, string][] = [];
    for await (const entry of handle) {
      if (++entries > limits.maxEntries) {
        truncated = true;
        break;
      }
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      const path = join(dir, entry.name);
      let isFile = entry.isFile();
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => null);
        isFile = target?.isFile() ?? false;
        isDirectory = target?.isDirectory() ?? false;
      }
      if (isFile && entry.name.toLowerCase().endsWith(".gguf")) files.push(name);
      else if (isDirectory && entry.name !== WORK_FOLDER) folders.push([path, name]);
    }
    if (depth >= limits.maxDepth) return; // deeper folders are not searched
    // By name, so that of two ways to one folder the same one wins every time.
    folders.sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [path, name] of folders) {
      if (truncated) return;
      await visit(path, name, depth + 1);
    }
  };

  await visit(root, "", 0);
  return { files, truncated };
}
