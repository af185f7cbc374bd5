"use client";

import {
  api,
  kvCacheTypeSchema,
  type KvCacheType,
  type QualityPlan,
  type QualityRunRequest,
} from "@quantdeck/shared";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { field, option, primaryButton } from "@/components/formStyles";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { useDebounced } from "@/lib/useDebounced";
import { RunCard } from "./RunCard";
import { TextSourcePicker, useEvaluationText } from "./TextSourcePicker";

const KV_VARIANTS = kvCacheTypeSchema.options.filter((t) => t !== "f16");

/** The quality lab: a new run, and every run with its live progress, table and chart. */
export function QualityLab() {
  const { t } = useI18n();
  const models = useQuery(agentQueries.models());
  const runs = useQuery(agentQueries.qualityRuns());
  const usable = models.data?.models.filter((m) => m.complete && m.unreadable === null) ?? [];
  const [reference, setReference] = useState("");
  const [candidates, setCandidates] = useState<string[]>([]);
  const [kvTypes, setKvTypes] = useState<KvCacheType[]>([]);
  const [contextSize, setContextSize] = useState(512);
  const [chunks, setChunks] = useState(20);
  const [keepLogits, setKeepLogits] = useState(false);
  const chosenReference = reference || usable[0]?.id || "";
  const queryClient = useQueryClient();

  const evaluationText = useEvaluationText();
  const text = evaluationText.body;
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
  // asked once the form settles; the text is named by its key, not sent with each check.
  const planKey = request
    ? JSON.stringify({ ...request, text: undefined, textKey: evaluationText.key })
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
          <TextSourcePicker {...evaluationText.picker} />
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
