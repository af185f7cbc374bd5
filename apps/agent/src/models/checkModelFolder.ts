import { realpath, stat } from "node:fs/promises";
import { isAbsolute, sep } from "node:path";
import { MODEL_FOLDER_LIMITS, walkModelFolder } from "./walkModelFolder.js";

/** System folders that never hold models, and whose walk would be long or endless. */
const SYSTEM_ROOTS = ["/", "/bin", "/sbin", "/lib", "/lib64", "/var", "/run", "/tmp"];
const SYSTEM_TREES = ["/proc", "/sys", "/dev", "/usr", "/etc", "/boot"];

/**
 * Why `dir` cannot be a folder to find models in, or null when it can: it must be an
 * existing folder given by absolute path, not a system folder (by its real path, so a link
 * to /usr is /usr), and small enough to search (a home folder with a million files is not
 * a models folder; its subfolder of models is).
 */
export async function checkModelFolder(dir: string): Promise<string | null> {
  if (!isAbsolute(dir)) return "Give the folder's absolute path.";
  const real = await realpath(dir).catch(() => null);
  const isDirectory = real !== null && (await stat(real).catch(() => null))?.isDirectory();
  if (!real || !isDirectory) return "No such folder on the agent's machine.";
  if (
    SYSTEM_ROOTS.includes(real) ||
    SYSTEM_TREES.some((t) => real === t || real.startsWith(t + sep))
  )
    return `${real} is a system folder; choose the folder that holds your GGUF files.`;
  const walk = await walkModelFolder(real);
  if (walk.truncated)
    return `It has more than ${MODEL_FOLDER_LIMITS.maxEntries} files and folders; choose the folder that holds your GGUF files.`;
  return null;
}
