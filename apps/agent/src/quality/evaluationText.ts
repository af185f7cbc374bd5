import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { basename, isAbsolute, join, resolve, sep } from "node:path";
import type { EvaluationText } from "@quantdeck/shared";
import { badRequest } from "../errors/commonErrors.js";
import { bundledFile } from "../util/bundledFile.js";

/** The text shipped with Quantdeck (src/quality/evaluationText/ORIGIN.md says what it is). */
export const DEFAULT_TEXT_PATH = bundledFile("evaluation.txt");

/** A text file on the agent's machine; larger ones are corpora, not evaluation texts. */
const MAX_TEXT_FILE_BYTES = 64 * 1024 ** 2;
/** Texts listed per folder for the dashboard's picker. */
const LISTED_PER_FOLDER = 200;

export interface TextSource {
  text?: string;
  textPath?: string;
}

/** A text ready to be copied into a run's folder: where it comes from, and how to write it. */
export interface ResolvedText {
  description: EvaluationText;
  /** Writes it to `to` (a copy: a later change to the user's file does not change a run). */
  writeTo(to: string): void;
  /** For the checks that need the words (a text too short for its chunks). */
  bytes: number;
  /** Of its bytes: runs on the same text can share what was computed from it. */
  sha256: string;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * The evaluation text a request names: its own (an upload), a file inside one of the
 * agent's text folders, or the default. A path outside the folders, through a link or
 * `..` included, is refused: a request must not read arbitrary files of the agent's user.
 */
export async function resolveEvaluationText(
  source: TextSource,
  folders: readonly string[],
): Promise<ResolvedText> {
  if (source.text !== undefined) {
    const bytes = Buffer.byteLength(source.text);
    return {
      description: { source: "upload", name: "upload", bytes },
      bytes,
      sha256: sha256(source.text),
      writeTo: (to) => writeFileSync(to, source.text ?? ""),
    };
  }
  if (source.textPath === undefined) {
    const bytes = statSync(DEFAULT_TEXT_PATH).size;
    return {
      description: { source: "default", name: "default", bytes },
      bytes,
      sha256: sha256(readFileSync(DEFAULT_TEXT_PATH)),
      writeTo: (to) => copyFileSync(DEFAULT_TEXT_PATH, to),
    };
  }
  const path = await insideFolders(source.textPath, folders);
  const info = await stat(path);
  if (!info.isFile())
    throw badRequest(`${basename(path)} is not a file`, "Name a UTF-8 text file.");
  if (info.size > MAX_TEXT_FILE_BYTES)
    throw badRequest(
      `${basename(path)} is ${Math.round(info.size / 1024 ** 2)} MiB; evaluation texts are at most ${MAX_TEXT_FILE_BYTES / 1024 ** 2} MiB`,
      "A few hundred KB is plenty: perplexity reads only the chunks asked for.",
    );
  const content = readFileSync(path);
  assertUtf8(content, basename(path));
  return {
    description: { source: "file", name: path, bytes: info.size },
    bytes: info.size,
    sha256: sha256(content),
    writeTo: (to) => copyFileSync(path, to),
  };
}

/** The text folders' .txt files, for the dashboard's picker. */
export async function listEvaluationTexts(folders: readonly string[]) {
  const files: { path: string; bytes: number }[] = [];
  for (const folder of folders) {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries
      .filter((e) => e.isFile() && e.name.endsWith(".txt"))
      .slice(0, LISTED_PER_FOLDER)) {
      const path = join(folder, entry.name);
      const info = await stat(path).catch(() => null);
      if (info) files.push({ path, bytes: info.size });
    }
  }
  return { defaultBytes: statSync(DEFAULT_TEXT_PATH).size, folders: [...folders], files };
}

async function insideFolders(path: string, folders: readonly string[]): Promise<string> {
  const outside = () =>
    badRequest(
      `${path.slice(0, 300)} is not inside the agent's text folders`,
      `Put the file in ${folders.join(" or ") || "a text folder"} (QUANTDECK_TEXT_DIRS), or upload it.`,
    );
  const within = (file: string, root: string) =>
    file.startsWith(root.endsWith(sep) ? root : root + sep);
  // Checked as written first, so that nothing is said about files elsewhere (not even
  // whether they exist); then as resolved, so that a link cannot lead out.
  if (!isAbsolute(path) || !folders.some((folder) => within(resolve(path), folder)))
    throw outside();
  const real = await realpath(path).catch(() => null);
  if (real === null)
    throw badRequest(`No file ${path.slice(0, 300)}`, "Check the path on the agent's machine.");
  for (const folder of folders) {
    const root = await realpath(folder).catch(() => null);
    if (root && within(real, root)) return real;
  }
  throw outside();
}

/** A binary file is no text. */
function assertUtf8(content: Buffer, name: string) {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    throw badRequest(
      `${name} is not UTF-8 text`,
      "Give a plain text file (UTF-8), e.g. wikitext-2's test split.",
    );
  }
}
