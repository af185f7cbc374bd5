import { Worker } from "node:worker_threads";
import type { CompareCheck, ComparePromptKind } from "@quantdeck/shared";
import { extractPythonCode } from "./extractCode.js";
import { checksFor, runChecks } from "./requirementChecks.js";
import { bundledFile } from "../util/bundledFile.js";

export interface AnswerAnalysis {
  code: string | null;
  checks: CompareCheck[];
}

/** Next to the agent's bundle (dist/), built from analyzeAnswerThread.ts. */
const ENTRY = bundledFile("analyzeAnswerThread.js");
/** Far more than any real answer needs (milliseconds); a crafted one is stopped here. */
const TIME_BUDGET_MS = 10_000;

/** The analysis itself: the program in the answer, and the prompt's requirement checks. */
export function analyzeAnswer(kind: ComparePromptKind, text: string): AnswerAnalysis {
  const code = extractPythonCode(text);
  return { code, checks: runChecks(kind, code) };
}

/**
 * analyzeAnswer in a thread of its own with a time budget: its regular expressions read
 * text a model (or whoever pasted the answer) wrote, and one long crafted line must not hold
 * up the agent's loop — its API, its WebSocket, a generation's tokens. Past the budget the
 * thread is stopped and the checks say so.
 */
export function analyzeAnswerInThread(
  kind: ComparePromptKind,
  text: string,
  timeBudgetMs = TIME_BUDGET_MS,
): Promise<AnswerAnalysis> {
  return new Promise((resolve) => {
    const worker = new Worker(ENTRY, { workerData: { kind, text } });
    const unchecked = (detail: string): AnswerAnalysis => ({
      code: null,
      checks: checksFor(kind).map((d) => ({
        id: d.id,
        label: d.label,
        passed: false,
        evidence: null,
        detail,
      })),
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(unchecked("not checked: the answer took too long to analyse"));
    }, timeBudgetMs);
    worker.once("message", (analysis: AnswerAnalysis) => {
      clearTimeout(timer);
      resolve(analysis);
      void worker.terminate();
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      resolve(unchecked(`not checked: ${error.message.slice(0, 200)}`));
    });
  });
}
