"use client";

import {
  api,
  kvCacheTypeSchema,
  type KvCacheType,
  type QualityPlan,
  type QualityRun,
  type QualityRunRequest,
} from "@quantdeck/shared";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { field, option, primaryButton, secondaryButton } from "@/components/formStyles";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";
import { useDebounced } from "@/lib/useDebounced";
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
  const [textSource, setTextSource] = useState<"default" | "upload" | "file">("default");
  const [upload, setUpload] = useState<{ name: string; content: string } | null>(null);
  const [agentText, setAgentText] = useState("");
  const [contextSize, setContextSize] = useState(512);
  const [chunks, setChunks] = useState(20);
  const [keepLogits, setKeepLogits] = useState(false);
  const chosenReference = reference || usable[0]?.id || "";
  const queryClient = useQueryClient();

  const texts = useQuery(agentQueries.evaluationTexts());
  const chosenAgentText = agentText || texts.data?.files[0]?.path || "";
  const text =
    textSource === "upload"
      ? upload && { text: upload.content }
      : textSource === "file"
        ? chosenAgentText && { textPath: chosenAgentText }
        : {};
  const request: QualityRunRequest | null =
    chosenReference && text && candidates.length + kvTypes.length > 0
      ? {
          reference: chosenReference,
          candidates: [
            ...candidates.map((model) => ({ model, kvCacheType: "f16" as const })),
            ...kvTypes.map((kvCacheType) => ({ model: chosenReference, kvCacheType })),
          ],
          ...text,
          contextSize,
          chunks,
          keepLogits,
        }
      : null;
  // What the run would take (the logits file against the free disk, or logits to reuse),
  // asked once the form settles; an upload is named by its size, not sent with each check.
  const planKey = request
    ? JSON.stringify({ ...request, text: upload && `${upload.name}:${upload.content.length}` })
    : "";
  const settledKey = useDebounced(planKey, 300);
  const settledRequest = settledKey === planKey ? request : null;
  const plan = useQuery({
    queryKey: ["agent", "quality", "plan", settledKey],
    queryFn: () => agentApi.call(api.planQualityRun, { body: settledRequest! }),
    enabled: settledRequest !== null,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const start = useMutation({
    mutationFn: (body: QualityRunRequest) => agentApi.call(api.startQualityRun, { body }),
    // Shown at once; its progress then arrives on the quality topic.
    onSuccess: (run) =>
      queryClient.setQueryData(agentQueries.qualityRuns().queryKey, (old) =>
        old && !old.runs.some((r) => r.id === run.id) ? { runs: [run, ...old.runs] } : old,
      ),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => agentApi.call(api.cancelQualityRun, { params: { id } }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => agentApi.call(api.deleteQualityRun, { params: { id } }),
    onSuccess: (_, id) =>
      queryClient.setQueryData(agentQueries.qualityRuns().queryKey, (old) =>
        old ? { runs: old.runs.filter((r) => r.id !== id) } : old,
      ),
  });
  const ready = request !== null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (request) start.mutate(request);
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
          <fieldset className="grid gap-1" data-testid="quality-text-source">
            <legend className="text-xs text-zinc-500">{t("quality.textSource")}</legend>
            <label className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="quality-text"
                data-testid="quality-text-default"
                checked={textSource === "default"}
                onChange={() => setTextSource("default")}
              />
              {t("quality.text.default", { size: formatBytes(texts.data?.defaultBytes ?? 0) })}
            </label>
            <label className="flex flex-wrap items-center gap-2 text-sm">
              <input
                type="radio"
                name="quality-text"
                data-testid="quality-text-upload"
                checked={textSource === "upload"}
                onChange={() => setTextSource("upload")}
              />
              {t("quality.text.upload")}
              <input
                type="file"
                accept=".txt,text/plain"
                data-testid="quality-text"
                className="text-sm"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  setTextSource("upload");
                  if (!file) return setUpload(null);
                  void file.text().then((content) => setUpload({ name: file.name, content }));
                }}
              />
              {upload && textSource === "upload" && (
                <span className="text-xs text-zinc-500">
                  {t("quality.textSize", { size: formatBytes(new Blob([upload.content]).size) })}
                </span>
              )}
            </label>
            <label className="flex flex-wrap items-center gap-2 text-sm">
              <input
                type="radio"
                name="quality-text"
                data-testid="quality-text-agent"
                checked={textSource === "file"}
                onChange={() => setTextSource("file")}
              />
              {t("quality.text.agent")}
              {texts.data && texts.data.files.length > 0 ? (
                <select
                  data-testid="quality-text-path"
                  className={field}
                  value={chosenAgentText}
                  onChange={(e) => {
                    setAgentText(e.target.value);
                    setTextSource("file");
                  }}
                >
                  {texts.data.files.map((file) => (
                    <option key={file.path} value={file.path} className={option}>
                      {file.path} ({formatBytes(file.bytes)})
                    </option>
                  ))}
                </select>
              ) : (
                <span className="text-xs text-zinc-500">{t("quality.text.none")}</span>
              )}
            </label>
            {texts.data && (
              <p className="text-xs text-zinc-500">
                {t("quality.text.agentHelp", { folders: texts.data.folders.join(", ") })}
              </p>
            )}
          </fieldset>
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
          {request && (
            <QualityPlanView
              plan={plan.data}
              error={plan.error}
              checking={settledRequest === null || plan.isFetching}
            />
          )}
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
        <RunCard
          key={run.id}
          run={run}
          onCancel={() => cancel.mutate(run.id)}
          onDelete={() => remove.mutate(run.id)}
        />
      ))}
    </div>
  );
}

/** The logits file against the free disk, or the kept logits a run would reuse. */
function QualityPlanView({
  plan,
  error,
  checking,
}: {
  plan: QualityPlan | undefined;
  error: Error | null;
  checking: boolean;
}) {
  const { t } = useI18n();
  if (error && !checking) return <ErrorNote error={error} />;
  if (!plan) return <p className="text-xs text-zinc-500">{t("quality.plan.checking")}</p>;
  return (
    <p data-testid="quality-plan" className={`text-xs ${checking ? "opacity-60" : ""}`}>
      {plan.reusesLogitsOf
        ? t("quality.plan.reuse")
        : t("quality.plan.logits", {
            size: formatBytes(plan.logitsBytes),
            free: formatBytes(plan.freeBytes),
          })}
    </p>
  );
}

function RunCard({
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
