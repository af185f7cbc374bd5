"use client";

import { api, kvCacheTypeSchema, type KvCacheType, type QualityRun } from "@quantdeck/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { field, option, primaryButton, secondaryButton } from "@/components/formStyles";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";
import { QualityChart } from "./QualityChart";
import { download, qualityCsv } from "./qualityExport";

const KV_VARIANTS = kvCacheTypeSchema.options.filter((t) => t !== "f16");
const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined ? "–" : value.toFixed(digits);

/** The quality lab: a new run, and every run with its live progress, table and chart. */
export function QualityLab() {
  const { t } = useI18n();
  const models = useQuery(agentQueries.models());
  const runs = useQuery(agentQueries.qualityRuns());
  const usable = models.data?.models.filter((m) => m.complete && m.unreadable === null) ?? [];
  const [reference, setReference] = useState("");
  const [candidates, setCandidates] = useState<string[]>([]);
  const [kvTypes, setKvTypes] = useState<KvCacheType[]>([]);
  const [text, setText] = useState<{ name: string; content: string } | null>(null);
  const [contextSize, setContextSize] = useState(512);
  const [chunks, setChunks] = useState(20);
  const [keepLogits, setKeepLogits] = useState(false);
  const chosenReference = reference || usable[0]?.id || "";
  const queryClient = useQueryClient();

  const start = useMutation({
    mutationFn: () =>
      agentApi.call(api.startQualityRun, {
        body: {
          reference: chosenReference,
          candidates: [
            ...candidates.map((model) => ({ model, kvCacheType: "f16" as const })),
            ...kvTypes.map((kvCacheType) => ({ model: chosenReference, kvCacheType })),
          ],
          text: text?.content ?? "",
          contextSize,
          chunks,
          keepLogits,
        },
      }),
    // Shown at once; its progress then arrives on the quality topic.
    onSuccess: (run) =>
      queryClient.setQueryData(agentQueries.qualityRuns().queryKey, (old) =>
        old && !old.runs.some((r) => r.id === run.id) ? { runs: [run, ...old.runs] } : old,
      ),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => agentApi.call(api.cancelQualityRun, { params: { id } }),
  });
  const ready = chosenReference && text && candidates.length + kvTypes.length > 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready) start.mutate();
  };
  const toggle = <T,>(list: T[], item: T) =>
    list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

  return (
    <div className="grid gap-6">
      <Card title={t("quality.title")} testId="quality-new">
        <form onSubmit={submit} className="grid gap-3">
          <p className="text-xs text-zinc-500">{t("quality.help")}</p>
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("quality.reference")}
            <select
              data-testid="quality-reference"
              className={field}
              value={chosenReference}
              onChange={(e) => setReference(e.target.value)}
            >
              {usable.map((m) => (
                <option key={m.id} value={m.id} className={option}>
                  {m.id} {m.quantType ? `(${m.quantType})` : ""}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="grid gap-1">
            <legend className="text-xs text-zinc-500">{t("quality.candidates")}</legend>
            {usable
              .filter((m) => m.id !== chosenReference)
              .map((m) => (
                <label key={m.id} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    data-testid="quality-candidate"
                    value={m.id}
                    checked={candidates.includes(m.id)}
                    onChange={() => setCandidates(toggle(candidates, m.id))}
                  />
                  <span className="font-mono text-xs">{m.id}</span>
                  <span className="text-xs text-zinc-500">{m.quantType}</span>
                </label>
              ))}
          </fieldset>
          <fieldset className="flex flex-wrap items-center gap-3">
            <legend className="text-xs text-zinc-500">{t("quality.kvVariants")}</legend>
            {KV_VARIANTS.map((type) => (
              <label key={type} className="flex items-center gap-1 text-sm">
                <input
                  type="checkbox"
                  data-testid={`quality-kv-${type}`}
                  checked={kvTypes.includes(type)}
                  onChange={() => setKvTypes(toggle(kvTypes, type))}
                />
                {type}
              </label>
            ))}
          </fieldset>
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("quality.text")}
            <input
              type="file"
              accept=".txt,text/plain"
              data-testid="quality-text"
              className="text-sm"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (!file) return setText(null);
                void file.text().then((content) => setText({ name: file.name, content }));
              }}
            />
            {text && (
              <span>
                {t("quality.textSize", { size: formatBytes(new Blob([text.content]).size) })}
              </span>
            )}
          </label>
          <div className="flex flex-wrap gap-3">
            <label className="grid gap-1 text-xs text-zinc-500">
              {t("quality.ctx")}
              <input
                type="number"
                data-testid="quality-ctx"
                className={field}
                min={64}
                value={contextSize}
                onChange={(e) => setContextSize(Number(e.target.value))}
              />
            </label>
            <label className="grid gap-1 text-xs text-zinc-500">
              {t("quality.chunks")}
              <input
                type="number"
                data-testid="quality-chunks"
                className={field}
                min={1}
                value={chunks}
                onChange={(e) => setChunks(Number(e.target.value))}
              />
            </label>
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={keepLogits}
              onChange={(e) => setKeepLogits(e.target.checked)}
            />
            {t("quality.keepLogits")}
          </label>
          {start.error && <ErrorNote error={start.error} />}
          <button
            type="submit"
            data-testid="quality-start"
            disabled={!ready || start.isPending}
            className={`${primaryButton} justify-self-start`}
          >
            {t("quality.start")}
          </button>
        </form>
      </Card>
      {runs.data?.runs.map((run) => (
        <RunCard key={run.id} run={run} onCancel={() => cancel.mutate(run.id)} />
      ))}
    </div>
  );
}

function RunCard({ run, onCancel }: { run: QualityRun; onCancel: () => void }) {
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
            {t("quality.logits", { size: formatBytes(run.logitsBytes) })}
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
