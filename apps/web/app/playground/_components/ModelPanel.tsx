"use client";

import {
  api,
  ENGINE_CAPABILITIES,
  renderAgentText,
  knobOf,
  type KvCacheType,
  type LoadOptions,
  loadOptionsSchema,
  type LoadRequest,
  parseKnob,
  type ProcessPriority,
  processPrioritySchema,
} from "@quantdeck/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { currentBox } from "@/lib/agent/boxTarget";
import { WorkersPicker } from "./WorkersPicker";
import { Card, Field } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { UsageBar } from "@/components/UsageBar";
import { VerdictBadge } from "@/components/VerdictBadge";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes, formatSpeedRange } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { guideTips } from "@/lib/i18n/guideTips";
import { control, option } from "@/components/formStyles";
import type { MessageKey } from "@/lib/i18n/messages";

/** The guide's recipe as the form starts: q8_0 K cache, 4096 tokens; the rest the agent's defaults. */
const RECIPE: LoadOptions = { contextSize: 4096, kvCacheKeyType: "q8_0", gpuLayers: "auto" };

/** A labelled control with its one-line explanation underneath. */
function Knob({ label, help, children }: { label: string; help: string; children: ReactNode }) {
  return (
    <label className="grid gap-1 text-xs text-zinc-500">
      <span className="font-medium text-zinc-700 dark:text-zinc-300">{label}</span>
      {children}
      <span className="text-[11px] leading-snug">{help}</span>
    </label>
  );
}

/** A checkbox knob, its label and explanation on one line. */
function Toggle(props: {
  label: string;
  help: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="flex items-start gap-2 text-xs text-zinc-500">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        className="mt-0.5"
      />
      <span>
        <span className="font-medium text-zinc-700 dark:text-zinc-300">{props.label}</span> —{" "}
        {props.help}
      </span>
    </label>
  );
}

/** Loading a model: every knob of the reference recipe, the plan for them, and the result. */
export function ModelPanel() {
  const { t, locale } = useI18n();
  const runtime = useQuery(agentQueries.runtime());
  const models = useQuery(agentQueries.models());
  const hardware = useQuery(agentQueries.hardware());
  const [selected, setSelected] = useState("");
  // The form is one LoadOptions: a knob left out takes the agent's default ("auto").
  const [draft, setDraft] = useState<LoadOptions>(RECIPE);
  const set = <K extends keyof LoadOptions>(key: K, value: LoadOptions[K] | undefined) =>
    setDraft((current) => {
      const next = { ...current };
      if (value === undefined) delete next[key];
      else next[key] = value;
      return next;
    });
  const load = useMutation({
    mutationFn: (body: LoadRequest) => agentApi.call(api.load, { body }),
  });
  const unload = useMutation({ mutationFn: () => agentApi.call(api.unload) });

  const status = runtime.data;
  const modelId = selected || status?.model?.id || models.data?.models[0]?.id || "";
  const contextSize = draft.contextSize ?? RECIPE.contextSize ?? 4096;
  const kvKey = draft.kvCacheKeyType ?? "f16";
  const parallel = draft.parallel ?? 1;
  const plan = useQuery({
    queryKey: ["agent", "plan", modelId, contextSize, kvKey, parallel],
    queryFn: () =>
      agentApi.call(api.plan, {
        query: { model: modelId, contextSize, kvCacheType: kvKey, parallel },
      }),
    enabled: modelId !== "" && contextSize >= 256,
    staleTime: 10_000,
  });
  const loading = status?.state === "loading" || load.isPending;
  const hw = hardware.data;
  const vramTotal = hw?.gpus.reduce((s, g) => s + g.vramFreeBytes, 0) ?? 0;

  const capabilities = ENGINE_CAPABILITIES[status?.engine.kind ?? "node-llama-cpp"];
  const offered = (key: keyof LoadOptions) => {
    const needs = knobOf(key).requires;
    return needs === undefined || capabilities[needs];
  };
  // What is sent: the knobs this engine has, checked as the agent will check them.
  const checked = loadOptionsSchema.safeParse(
    Object.fromEntries(
      Object.entries(draft).filter(
        ([key]) => key === "workers" || offered(key as keyof LoadOptions),
      ),
    ),
  );
  const invalid = checked.success ? null : checked.error.issues[0];
  const numberOrDefault = (text: string) => (text === "" ? undefined : Number(text));

  const kvSelect = (value: string, onChange: (v: string) => void, withAuto: boolean) => (
    <select className={control} value={value} onChange={(e) => onChange(e.target.value)}>
      {withAuto && (
        <option value="auto" className={option}>
          {t("load.auto")}
        </option>
      )}
      <option value="q8_0" className={option}>
        {t("runtime.kvRecommended")}
      </option>
      <option value="f16" className={option}>
        f16
      </option>
      <option value="q4_0" className={option}>
        q4_0
      </option>
    </select>
  );

  return (
    <Card title={t("runtime.title")} testId="model-panel">
      <div className="grid gap-3">
        <label className="grid gap-1 text-sm">
          <span className="sr-only">{t("runtime.title")}</span>
          <select
            data-testid="model-select"
            className={control}
            value={modelId}
            onChange={(e) => setSelected(e.target.value)}
          >
            {models.data?.models.map((m) => (
              <option key={m.id} value={m.id} className={option}>
                {m.name}
                {m.synthetic ? ` (${t("demo.synthetic")})` : ""}
              </option>
            ))}
          </select>
        </label>
        <div className="grid grid-cols-2 gap-2">
          <Knob label={t("runtime.kvCache")} help={t("load.kvKey.help")}>
            {kvSelect(kvKey, (v) => set("kvCacheKeyType", v as KvCacheType), false)}
          </Knob>
          <Knob label={t("runtime.context")} help={t("load.context.help")}>
            <input
              type="number"
              min={256}
              step={256}
              className={control}
              value={draft.contextSize ?? ""}
              onChange={(e) => set("contextSize", numberOrDefault(e.target.value))}
            />
          </Knob>
        </div>
        <details className="rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
          <summary className="cursor-pointer text-xs font-medium">{t("load.advanced")}</summary>
          <div className="mt-2 grid gap-3">
            <Knob label={t("load.gpuLayers")} help={t("load.gpuLayers.help")}>
              <input
                className={control}
                defaultValue={String(draft.gpuLayers ?? "auto")}
                aria-invalid={invalid?.path[0] === "gpuLayers"}
                onChange={(e) => {
                  // "auto", "max" or a number; what is half typed stays out of the draft.
                  const parsed = parseKnob(knobOf("gpuLayers"), e.target.value || "auto");
                  if (parsed.ok) set("gpuLayers", parsed.value as LoadOptions["gpuLayers"]);
                }}
                list="gpu-layer-presets"
              />
            </Knob>
            <datalist id="gpu-layer-presets">
              <option value="auto" />
              <option value="max" />
            </datalist>
            {offered("cpuMoeLayers") && (
              <Knob label={t("load.cpuMoe")} help={t("load.cpuMoe.help")}>
                <input
                  type="number"
                  min={0}
                  placeholder={
                    plan.data?.cpuMoeLayers != null ? String(plan.data.cpuMoeLayers) : ""
                  }
                  className={control}
                  value={draft.cpuMoeLayers ?? ""}
                  onChange={(e) => set("cpuMoeLayers", numberOrDefault(e.target.value))}
                />
              </Knob>
            )}
            <Knob label={t("load.kvValue")} help={t("load.kvValue.help")}>
              {kvSelect(
                draft.kvCacheValueType ?? "auto",
                (v) => set("kvCacheValueType", v === "auto" ? undefined : (v as KvCacheType)),
                true,
              )}
            </Knob>
            <Knob label={t("load.flash")} help={t("load.flash.help")}>
              <select
                className={control}
                value={
                  draft.flashAttention === undefined ? "auto" : draft.flashAttention ? "on" : "off"
                }
                onChange={(e) =>
                  set(
                    "flashAttention",
                    e.target.value === "auto" ? undefined : e.target.value === "on",
                  )
                }
              >
                {(["auto", "on", "off"] as const).map((v) => (
                  <option key={v} value={v} className={option}>
                    {t(`load.${v}` as MessageKey)}
                  </option>
                ))}
              </select>
            </Knob>
            <Knob label={t("load.threads")} help={t("load.threads.help")}>
              <input
                type="number"
                min={1}
                max={hw?.cpu.physicalCores}
                placeholder={String(hw?.cpu.physicalCores ?? "")}
                className={control}
                value={draft.threads ?? ""}
                onChange={(e) => set("threads", numberOrDefault(e.target.value))}
              />
            </Knob>
            <Knob label={t("load.batch")} help={t("load.batch.help")}>
              <input
                type="number"
                min={1}
                className={control}
                value={draft.batchSize ?? ""}
                onChange={(e) => set("batchSize", numberOrDefault(e.target.value))}
              />
            </Knob>
            <Knob label={t("load.priority")} help={t("load.priority.help")}>
              <select
                className={control}
                value={draft.priority ?? "normal"}
                onChange={(e) => set("priority", e.target.value as ProcessPriority)}
              >
                {processPrioritySchema.options.map((p) => (
                  <option key={p} value={p} className={option}>
                    {p}
                  </option>
                ))}
              </select>
            </Knob>
            <Knob label={t("load.parallel")} help={t("load.parallel.help")}>
              <input
                type="number"
                min={1}
                max={16}
                className={control}
                value={draft.parallel ?? ""}
                onChange={(e) => set("parallel", numberOrDefault(e.target.value))}
              />
            </Knob>
            <Toggle
              label={t("load.mmap")}
              help={t("load.mmap.help")}
              checked={draft.useMmap ?? true}
              onChange={(on) => set("useMmap", on)}
            />
            <Toggle
              label={t("load.mlock")}
              help={t("load.mlock.help")}
              checked={draft.useMlock ?? false}
              onChange={(on) => set("useMlock", on)}
            />
          </div>
        </details>

        {status?.split && (
          <ul data-testid="split-progress" className="grid gap-0.5 text-xs text-zinc-500">
            {status.split.workers.map((worker) => (
              <li key={worker.name}>
                {t("load.workers.sent", {
                  box: worker.name,
                  sent: formatBytes(worker.receivedBytes),
                  expected: formatBytes(worker.expectedBytes),
                })}
              </li>
            ))}
          </ul>
        )}
        {/* Worker boxes are this agent's; a page showing a box has its own. */}
        {currentBox() === null && capabilities.expertsOnCpu && (
          <WorkersPicker
            modelId={modelId}
            contextSize={contextSize}
            workers={draft.workers ?? []}
            onChange={(workers) => set("workers", workers.length > 0 ? workers : undefined)}
          />
        )}

        {plan.data && hw && (
          <section
            data-testid="load-plan"
            className="grid gap-2 rounded-md bg-zinc-50 p-2 text-xs dark:bg-zinc-950"
          >
            <div className="flex items-center justify-between gap-2">
              <span className="font-medium">{t("load.plan")}</span>
              <VerdictBadge plan={plan.data} />
            </div>
            <p>{t(`load.strategy.${plan.data.strategy}`, { layers: plan.data.gpuLayers })}</p>
            {vramTotal > 0 && (
              <>
                <span>
                  {t("load.predictedVram", {
                    predicted: formatBytes(plan.data.predicted.vramBytes),
                    available: formatBytes(vramTotal),
                  })}
                </span>
                <UsageBar
                  value={plan.data.predicted.vramBytes / vramTotal}
                  label="VRAM"
                  tone="amber"
                />
              </>
            )}
            <span>
              {t("load.predictedRam", {
                predicted: formatBytes(plan.data.predicted.ramBytes),
                available: formatBytes(hw.memory.availableBytes),
              })}
            </span>
            <UsageBar
              value={plan.data.predicted.ramBytes / Math.max(1, hw.memory.availableBytes)}
              label="RAM"
              tone={plan.data.predicted.ramBytes > hw.memory.availableBytes ? "red" : "emerald"}
            />
            <span>{formatSpeedRange(plan.data.tokensPerSecond, t)}</span>
            {plan.data.notes.map((note) => (
              <p key={note.key} className="text-amber-700 dark:text-amber-300">
                {renderAgentText(note, locale)}
              </p>
            ))}
          </section>
        )}

        {invalid && (
          <p data-testid="load-invalid" className="text-xs text-red-600 dark:text-red-400">
            {t("load.invalid", { flag: `--${knobOf(invalid.path[0] as keyof LoadOptions).flag}` })}:{" "}
            {invalid.message}
          </p>
        )}
        <div className="flex gap-2">
          <button
            type="button"
            data-testid="load-model"
            disabled={!modelId || loading || !checked.success}
            onClick={() =>
              checked.success && load.mutate({ model: modelId, options: checked.data })
            }
            className="flex-1 rounded-md bg-sky-600 px-3 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50"
          >
            {t("runtime.load")}
          </button>
          {status?.model && (
            <button
              type="button"
              onClick={() => unload.mutate()}
              className="rounded-md border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-700"
            >
              {t("runtime.unload")}
            </button>
          )}
        </div>
        <p
          role="status"
          data-testid="runtime-state"
          data-state={status?.state ?? "unknown"}
          className="text-sm"
        >
          {status?.state === "loading"
            ? t("runtime.loading", { percent: Math.round((status.loadProgress ?? 0) * 100) })
            : status?.state === "restarting"
              ? t("runtime.restarting")
              : status?.model
                ? `${t("runtime.ready")}: ${status.model.name}`
                : t("runtime.none")}
        </p>
        {status?.model && (
          <dl>
            <Field label="KV">{`${status.model.options.kvCacheKeyType} / ${status.model.options.kvCacheValueType}`}</Field>
            <Field label={t("runtime.context")}>{status.model.options.contextSize}</Field>
            <Field label="RAM">
              {t("runtime.memory", {
                predicted: formatBytes(status.model.memory.predicted.ramBytes),
                actual: formatBytes(status.model.memory.actual.ramBytes),
              })}
            </Field>
          </dl>
        )}
        {status?.warnings.map((w) => (
          <ErrorNote key={w.code} error={w} tone="warning" />
        ))}
        {load.error && <ErrorNote error={load.error} />}
        {status?.lastError && !load.error && <ErrorNote error={status.lastError} />}
        <details className="text-xs text-zinc-500">
          <summary className="cursor-pointer">{t("load.advice")}</summary>
          <ul className="mt-1 list-disc pl-4">
            {guideTips(locale).map((tip) => (
              <li key={tip}>{tip}</li>
            ))}
          </ul>
        </details>
      </div>
    </Card>
  );
}
