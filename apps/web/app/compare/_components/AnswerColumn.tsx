"use client";

import { api, type CompareAnswer } from "@quantdeck/shared";
import { diffLines } from "diff";
import { useState } from "react";
import { agentApi } from "@/lib/agent/httpClient";
import { ErrorNote } from "@/components/ErrorNote";
import { BehaviourVerdicts } from "./BehaviourVerdicts";
import { Markdown } from "@/components/Markdown";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";

export function AnswerColumn({
  runId,
  answer,
  baseCode,
  projector,
  videoRef,
  onSeek,
}: {
  runId: string;
  answer: CompareAnswer;
  /** The first column's code, to diff against (null for the first column). */
  baseCode: string | null;
  projector: boolean;
  videoRef: (element: HTMLVideoElement | null) => void;
  /** Seeks every recording of the run to this second. */
  onSeek: (seconds: number) => void;
}) {
  const { t } = useI18n();
  const [showDiff, setShowDiff] = useState(false);
  const execution = answer.execution;
  const finished =
    answer.state === "done" || answer.state === "failed" || answer.state === "cancelled";

  return (
    <section
      data-testid="compare-answer"
      data-state={answer.state}
      className="grid min-w-0 grid-cols-[minmax(0,1fr)] content-start gap-3 rounded-xl border border-zinc-200 bg-white p-4 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <header>
        <h2 className={`font-semibold break-all ${projector ? "text-2xl" : "text-base"}`}>
          {answer.label}
        </h2>
        <p className="text-xs text-zinc-500" data-testid="compare-answer-state">
          {t(`compare.answerState.${answer.state}`)}
          {answer.stats &&
            ` · ${t("compare.stats", {
              tokens: answer.stats.generatedTokens,
              tps: answer.stats.generationTokensPerSecond.toFixed(1),
              seconds: (answer.stats.totalMs / 1000).toFixed(1),
            })}`}
        </p>
      </header>

      {execution?.hasRecording ? (
        <video
          ref={videoRef}
          data-testid="compare-recording"
          src={agentApi.urlOf(api.compareRecording, {
            params: { id: runId, index: String(answer.index) },
          })}
          className="max-h-[70vh] w-full rounded-md bg-black object-contain"
          controls
          muted
          loop
          playsInline
        />
      ) : (
        finished && (
          <div
            data-testid="compare-not-run"
            className="rounded-md border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-500 dark:border-zinc-700"
          >
            {notRunText(answer, t)}
          </div>
        )
      )}

      {execution && (
        <div className="text-sm" data-testid="compare-outcome" data-outcome={execution.outcome}>
          <p
            className={
              execution.outcome === "ran"
                ? "font-medium text-emerald-600 dark:text-emerald-400"
                : "font-medium text-red-600 dark:text-red-400"
            }
          >
            {t(`compare.outcome.${execution.outcome}`, { code: execution.exitCode ?? "?" })}
          </p>
          {execution.limit && (
            <p className="text-xs text-amber-700 dark:text-amber-400" data-testid="compare-limit">
              {t(`compare.limit.${execution.limit}`)}
            </p>
          )}
          <p className="text-xs text-zinc-500">
            {execution.window
              ? t("compare.frames", {
                  nonBlank: execution.frames.nonBlank,
                  count: execution.frames.count,
                  changing: execution.frames.changing,
                })
              : t("compare.noWindow")}
          </p>
        </div>
      )}
      {execution?.traceback && (
        <details open className="text-xs">
          <summary className="cursor-pointer font-medium text-red-600 dark:text-red-400">
            {t("compare.traceback")}
          </summary>
          <pre className="mt-1 overflow-auto rounded-md bg-zinc-950 p-2 text-zinc-100">
            {execution.traceback}
          </pre>
        </details>
      )}
      {answer.error && <ErrorNote error={answer.error} />}

      {answer.syntax && (
        <p
          className={`text-sm ${answer.syntax.ok ? "text-emerald-600 dark:text-emerald-400" : "text-red-600 dark:text-red-400"}`}
        >
          {answer.syntax.ok
            ? `✓ ${t("compare.syntaxOk")}`
            : `✗ ${t("compare.syntaxError", { line: answer.syntax.line ?? "?", message: answer.syntax.message ?? "" })}`}
        </p>
      )}

      {execution?.behaviour && (
        <BehaviourVerdicts behaviour={execution.behaviour} onSeek={onSeek} />
      )}

      {answer.checks.length > 0 && (
        <div>
          <h3 className="text-sm font-semibold">
            {t("compare.checks")}{" "}
            <span className="font-normal text-zinc-500">
              {answer.checks.filter((c) => c.passed).length}/{answer.checks.length}
            </span>
          </h3>
          <p className="text-[11px] text-zinc-500">{t("compare.checksHeuristic")}</p>
          <ul className="mt-1 grid gap-1 text-sm" data-testid="compare-checks">
            {answer.checks.map((check) => (
              <li key={check.id} data-passed={check.passed}>
                <span className={check.passed ? "text-emerald-600" : "text-red-600"}>
                  {check.passed ? "✓" : "✗"}
                </span>{" "}
                {t(`compare.check.${check.id}` as MessageKey)}
                {check.detail && check.detail !== "no code" && (
                  <span className="text-xs text-zinc-500"> ({check.detail})</span>
                )}
                {check.evidence && (
                  <code
                    className="block truncate pl-5 text-[11px] text-zinc-500"
                    title={check.evidence.text}
                  >
                    {check.evidence.line}: {check.evidence.text}
                  </code>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}

      {answer.code !== null && (
        <div className="grid gap-1">
          <div className="flex items-center justify-between">
            <h3 className="text-sm font-semibold">{t("compare.code")}</h3>
            {baseCode !== null && (
              <label className="flex items-center gap-1 text-xs text-zinc-500">
                <input
                  type="checkbox"
                  checked={showDiff}
                  onChange={(e) => setShowDiff(e.target.checked)}
                />
                {t("compare.diff")}
              </label>
            )}
          </div>
          {showDiff && baseCode !== null ? (
            <CodeDiff base={baseCode} code={answer.code} />
          ) : (
            <div className="max-h-[32rem] overflow-auto">
              <Markdown text={"```python\n" + answer.code + "\n```"} />
            </div>
          )}
        </div>
      )}

      {(answer.text || answer.state === "generating") && (
        <details open={answer.code === null} className="text-sm">
          <summary className="cursor-pointer font-semibold">{t("compare.answer")}</summary>
          <div className="mt-1 max-h-96 overflow-auto" data-testid="compare-answer-text">
            <Markdown text={answer.text} />
          </div>
        </details>
      )}
      {execution && (execution.stdout || execution.stderr) && (
        <details className="text-xs">
          <summary className="cursor-pointer">{t("compare.output")}</summary>
          <pre className="mt-1 max-h-60 overflow-auto rounded-md bg-zinc-950 p-2 text-zinc-100">
            {execution.stdout}
            {execution.stderr}
          </pre>
        </details>
      )}
    </section>
  );
}

function notRunText(answer: CompareAnswer, t: (key: MessageKey) => string): string {
  if (answer.state !== "done") return t(`compare.answerState.${answer.state}`);
  if (answer.code === null) return t("compare.notRun.noCode");
  if (answer.syntax && !answer.syntax.ok) return t("compare.notRun.syntax");
  if (!answer.execution) return t("compare.notRun.noSandbox");
  return t("compare.noRecording");
}

/** Line diff of this column's code against the first column's. */
function CodeDiff({ base, code }: { base: string; code: string }) {
  const parts = diffLines(base, code);
  return (
    <pre
      className="max-h-[32rem] overflow-auto rounded-lg bg-zinc-950 p-3 text-xs text-zinc-100"
      data-testid="compare-diff"
    >
      {parts.map((part, i) => (
        <span
          key={i}
          className={
            part.added
              ? "block bg-emerald-900/60"
              : part.removed
                ? "block bg-red-900/60 line-through opacity-70"
                : "block"
          }
        >
          {part.value
            .replace(/\n$/, "")
            .split("\n")
            .map((line) => `${part.added ? "+ " : part.removed ? "- " : "  "}${line}`)
            .join("\n")}
        </span>
      ))}
    </pre>
  );
}
