"use client";

import type { KvCacheType } from "@quantdeck/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Card, Field } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { useConnectionState } from "@/lib/agent/AgentProvider";
import { agentHttp } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

const control =
  "w-full rounded-md border border-zinc-300 bg-transparent px-2 py-1.5 text-sm dark:border-zinc-700";

/** The loaded model, and a quick way to load one with the guide's settings. */
export function ModelPanel() {
  const { t } = useI18n();
  const connected = useConnectionState().kind === "connected";
  const runtime = useQuery({ ...agentQueries.runtime(), enabled: connected });
  const models = useQuery({ ...agentQueries.models(), enabled: connected });
  const [selected, setSelected] = useState<string>("");
  const [kvCache, setKvCache] = useState<KvCacheType>("q8_0");
  const [contextSize, setContextSize] = useState(4096);
  const load = useMutation({ mutationFn: agentHttp.load });
  const unload = useMutation({ mutationFn: agentHttp.unload });

  const status = runtime.data;
  const modelId = selected || status?.model?.id || models.data?.models[0]?.id || "";
  const loading = status?.state === "loading" || load.isPending;

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
              <option
                key={m.id}
                value={m.id}
                className="bg-white text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100"
              >
                {m.name}
                {m.synthetic ? ` (${t("demo.synthetic")})` : ""}
              </option>
            ))}
          </select>
        </label>
        <div className="grid grid-cols-2 gap-2">
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("runtime.kvCache")}
            <select
              className={control}
              value={kvCache}
              onChange={(e) => setKvCache(e.target.value as KvCacheType)}
            >
              <option value="q8_0">{t("runtime.kvRecommended")}</option>
              <option value="f16">f16</option>
              <option value="q4_0">q4_0</option>
            </select>
          </label>
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("runtime.context")}
            <input
              type="number"
              min={256}
              step={256}
              className={control}
              value={contextSize}
              onChange={(e) => setContextSize(Number(e.target.value))}
            />
          </label>
        </div>
        <div className="flex gap-2">
          <button
            type="button"
            data-testid="load-model"
            disabled={!modelId || loading}
            onClick={() =>
              load.mutate({ model: modelId, options: { kvCacheKeyType: kvCache, contextSize } })
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
      </div>
    </Card>
  );
}
