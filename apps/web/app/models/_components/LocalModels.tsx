"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Card } from "@/components/Card";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes, formatCount } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { QuantMixTable } from "./QuantMixTable";

export function LocalModels() {
  const { t } = useI18n();
  const { data } = useQuery(agentQueries.models());
  const [inspected, setInspected] = useState<string | null>(null);
  return (
    <Card title={t("models.local")} testId="local-models">
      {data?.models.length === 0 && <p className="text-sm text-zinc-500">{t("models.noLocal")}</p>}
      <ul className="grid gap-2">
        {data?.models.map((m) => (
          <li key={m.id} data-testid="local-model" className="text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{m.name}</span>
              {m.synthetic && (
                <span className="rounded-full bg-violet-100 px-2 text-xs text-violet-800 dark:bg-violet-900 dark:text-violet-200">
                  {t("demo.synthetic")}
                </span>
              )}
              {m.unreadable !== null ? (
                <span
                  className="rounded-full bg-red-100 px-2 text-xs text-red-800 dark:bg-red-950 dark:text-red-300"
                  data-testid="model-unreadable"
                >
                  {t("models.unreadable")}
                </span>
              ) : (
                !m.complete && (
                  <span className="rounded-full bg-amber-100 px-2 text-xs text-amber-800 dark:bg-amber-950 dark:text-amber-300">
                    {t("models.incomplete")}
                  </span>
                )
              )}
            </div>
            {m.unreadable !== null && (
              <p className="text-xs text-red-700 dark:text-red-400">{m.unreadable}</p>
            )}
            <p className="text-xs text-zinc-500">
              {[
                m.id !== m.name ? m.id : null,
                m.architecture,
                m.quantType,
                formatBytes(m.sizeBytes),
                m.parameters ? t("models.params", { count: formatCount(m.parameters) }) : null,
                m.trainContextSize ? `ctx ${m.trainContextSize}` : null,
                m.shards ? `${m.shards.present}/${m.shards.count} files` : null,
              ]
                .filter(Boolean)
                .join(" · ")}
              {m.complete && m.unreadable === null && (
                <button
                  type="button"
                  data-testid="inspect-model"
                  className="ml-2 text-sky-600 hover:underline"
                  onClick={() => setInspected(inspected === m.id ? null : m.id)}
                >
                  {t(inspected === m.id ? "quant.inspect.hide" : "quant.inspect")}
                </button>
              )}
            </p>
            {inspected === m.id && <QuantMixTable modelId={m.id} />}
          </li>
        ))}
      </ul>
    </Card>
  );
}
