import { isAbsolute, relative, resolve, sep } from "node:path";

export class UnsafePathError extends Error {}

/** Characters a model file name may use: what Hugging Face repos use, nothing a shell or a path parser treats specially. */
const SAFE_SEGMENT = /^[A-Za-z0-9._+\-=@]+$/;

/**
 * The one function that turns a name from outside (an API call, a hub listing) into a path.
 * It refuses absolute paths, `..`, empty or odd segments, and anything that would land
 * outside `root`, so no request can read or write beyond the models folder.
 */
export function resolveInsideModels(root: string, name: string): string {
  if (name.length === 0 || name.length > 1024) throw new UnsafePathError("empty or overlong name");
  if (name.includes("\0") || name.includes("\\") || isAbsolute(name))
    throw new UnsafePathError(`not a relative name: ${name}`);
  const segments = name.split("/");
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === ".." || !SAFE_SEGMENT.test(segment)) {
      throw new UnsafePathError(`bad path segment in ${name}`);
    }
  }
  const base = resolve(root);
  const path = resolve(base, ...segments);
  const rel = relative(base, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel) || rel.split(sep).includes("..")) {
    throw new UnsafePathError(`outside the models folder: ${name}`);
  }
  return path;
}
