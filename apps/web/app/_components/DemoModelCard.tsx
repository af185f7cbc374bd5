"use client";

import { useQuery } from "@tanstack/react-query";
import { Card, Field } from "@/components/Card";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

export function DemoModelCard() {
  const { t } = useI18n();
  const { data } = useQuery(agentQueries.status());
  const demo = data?.demoModel;

  return (
    <Card
      title={t("demo.title")}
      testId="demo-model-card"
      actions={
        demo?.synthetic && (
          <span className="rounded-full bg-violet-100 px-2.5 py-0.5 text-xs font-semibold text-violet-800 dark:bg-violet-900 dark:text-violet-200">
            {t("demo.synthetic")}
          </span>
        )
      }
    >
      {demo ? (
        <>
          <p className="mb-3 font-mono text-sm break-all">{demo.fileName}</p>
          <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">{t("demo.explain")}</p>
          <dl>
            <Field label={t("demo.architecture")}>{demo.architecture}</Field>
            <Field label={t("demo.size")}>{formatBytes(demo.sizeBytes)}</Field>
          </dl>
        </>
      ) : (
        <p className="text-sm text-zinc-500">{data ? t("demo.none") : "—"}</p>
      )}
    </Card>
  );
}
