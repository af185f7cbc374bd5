"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card, Field } from "@/components/Card";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

/** What the engine has loaded, and how fast it is generating right now. */
export function LoadedModelCard() {
  const { t } = useI18n();
  const runtime = useQuery(agentQueries.runtime());
  const monitor = useQuery(agentQueries.monitor());
  const model = runtime.data?.model;
  const speed = monitor.data?.samples.at(-1)?.generation.tokensPerSecond ?? 0;
  const engine = useQuery(agentQueries.engine());
  const bench = engine.data?.benchmarks.find((b) => b.modelId === model?.id);
  return (
    <Card
      title={t("loaded.title")}
      testId="loaded-model-card"
      actions={
        <Link href="/playground" className="text-xs text-sky-600 hover:underline">
          {t("nav.playground")} →
        </Link>
      }
    >
      {model ? (
        <dl>
          <Field label={t("runtime.title")}>{model.name}</Field>
          <Field label="KV">{`${model.options.kvCacheKeyType} / ${model.options.kvCacheValueType} · ${model.options.contextSize}`}</Field>
          <Field label="RAM">{formatBytes(model.memory.actual.ramBytes)}</Field>
          <Field label={t("loaded.speed")}>{`${speed.toFixed(1)} tok/s`}</Field>
          {bench && (
            <Field
              label={t("loaded.bench")}
            >{`${bench.generationTokensPerSecond.toFixed(1)} tok/s`}</Field>
          )}
          <Field label={t("loaded.engine")}>{runtime.data?.engine.kind ?? "—"}</Field>
        </dl>
      ) : (
        <p className="text-sm text-zinc-500">{t("runtime.none")}</p>
      )}
    </Card>
  );
}
