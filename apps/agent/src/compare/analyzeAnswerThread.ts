// The thread analyzeAnswerInThread runs: one answer's analysis, off the agent's loop.
import { parentPort, workerData } from "node:worker_threads";
import type { ComparePromptKind } from "@quantdeck/shared";
import { analyzeAnswer } from "./analyzeAnswer.js";

const { kind, text } = workerData as { kind: ComparePromptKind; text: string };
parentPort?.postMessage(analyzeAnswer(kind, text));
