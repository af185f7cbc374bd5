"use client";

import type { QualityRun } from "@quantdeck/shared";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { secondaryButton } from "@/components/formStyles";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";
import { QualityChart } from "./QualityChart";
import { download, qualityCsv } from "./qualityExport";

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? "–" : value.toFixed(digits);

/** One run: its state and text, live progress per step, the results table and the chart. */
export function RunCard({
  run,
  onCancel,
  onDelete,
}: {
  run: QualityRun;
  onCancel: () => void;
  onDelete: () => void;
}) {
  const { t } = useI18n();
  const state = (s: string) => t(`quality.state.${s}` as MessageKey);
  return (
    <Card
      title={`${run.reference} · ${new Date(run.createdAt).toLocaleString()}`}
      testId="quality-run"
    >
      <div className="grid gap-3" data-state={run.state}>
        <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-zinc-500">
          <span>
            {state(run.state)} · ctx {run.contextSize} · {run.chunks} chunks ·{" "}
            {run.text.source === "file"
              ? run.text.name
              : t(`quality.textLabel.${run.text.source}` as MessageKey)}{" "}
            · {t("quality.logits", { size: formatBytes(run.logitsBytes) })}
            {run.logitsReusedFrom && ` (${t("quality.reused")})`}
          </span>
          <span className="flex gap-2">
            {run.state === "running" && (
              <button type="button" className={secondaryButton} onClick={onCancel}>
                {t("quality.cancel")}
              </button>
            )}
            <button
              type="button"
              className={secondaryButton}
              onClick={() => download(`quality-${run.id}.csv`, "text/csv", qualityCsv(run))}
            >
              {t("quality.export")} CSV
            </button>
            <button
              type="button"
              className={secondaryButton}
              onClick={() =>
                download(`quality-${run.id}.json`, "application/json", JSON.stringify(run, null, 2))
              }
            >
              {t("quality.export")} JSON
            </button>
            {run.state !== "running" && (
              <button
                type="button"
                data-testid="quality-delete"
                className={secondaryButton}
                onClick={onDelete}
              >
                {t("quality.delete")}
              </button>
            )}
          </span>
        </div>
        {run.error && <ErrorNote error={{ code: "toolFailed", ...run.error }} />}
        <p className="text-xs">
          {t("quality.refRow", {
            model: run.reference,
            ppl: fixed(run.referenceStep.perplexity, 3),
          })}{" "}
          {run.referenceStep.state === "running" && (
            <progress className="h-2 w-32" value={run.referenceStep.progress} max={1} />
          )}
        </p>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-xs tabular-nums" data-testid="quality-table">
            <thead className="text-zinc-500">
              <tr>
                {(
                  [
                    "candidate",
                    "size",
                    "bpw",
                    "pplRatio",
                    "meanKld",
                    "medianKld",
                    "kld99",
                    "kld999",
                    "sameTop",
                    "rmsDp",
                    "state",
                  ] as const
                ).map((col) => (
                  <th key={col} className="py-1 pr-3 font-normal">
                    {t(`quality.col.${col}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {run.candidates.map((c, i) => (
                <tr
                  key={i}
                  data-state={c.state}
                  className="border-t border-zinc-200 dark:border-zinc-800"
                >
                  <td className="py-1 pr-3 font-mono">
                    {c.model}
                    {c.kvCacheType !== "f16" && ` · KV ${c.kvCacheType}`}
                  </td>
                  <td className="pr-3">{c.result ? formatBytes(c.result.sizeBytes) : "–"}</td>
                  <td className="pr-3">{fixed(c.result?.bitsPerWeight, 2)}</td>
                  <td className="pr-3">{fixed(c.result?.perplexityRatio, 4)}</td>
                  <td className="pr-3" data-testid="quality-mean-kld">
                    {fixed(c.result?.meanKld, 6)}
                  </td>
                  <td className="pr-3">{fixed(c.result?.medianKld, 6)}</td>
                  <td className="pr-3">{fixed(c.result?.kld99, 6)}</td>
                  <td className="pr-3">{fixed(c.result?.kld999, 6)}</td>
                  <td className="pr-3">
                    {c.result ? `${c.result.sameTopPercent.toFixed(2)}%` : "–"}
                  </td>
                  <td className="pr-3">
                    {c.result ? `${c.result.rmsDeltaPPercent.toFixed(3)}%` : "–"}
                  </td>
                  <td>
                    {c.state === "running" ? (
                      <progress className="h-2 w-20" value={c.progress} max={1} />
                    ) : (
                      <span title={c.error ?? undefined}>{state(c.state)}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <QualityChart run={run} />
      </div>
    </Card>
  );
}
