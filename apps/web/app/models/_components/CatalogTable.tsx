"use client";

import { useQuery } from "@tanstack/react-query";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { VerdictBadge } from "@/components/VerdictBadge";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { useStartDownload } from "./useStartDownload";

/** The guide's table of DeepSeek-V3-0324 quants, with how each would run here. */
export function CatalogTable() {
  const { t } = useI18n();
  const { data } = useQuery(agentQueries.catalog());
  const download = useStartDownload();
  const th = "px-3 py-2 text-left text-xs font-semibold text-zinc-500 uppercase";
  return (
    <Card title={t("models.catalog")} testId="catalog">
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th className={th}>{t("models.moeBits")}</th>
              <th className={th}>{t("models.type")}</th>
              <th className={th}>{t("models.size")}</th>
              <th className={th}>{t("models.accuracy")}</th>
              <th className={th}>{t("models.details")}</th>
              <th className={th}>{t("models.fit")}</th>
              <th className={th} />
            </tr>
          </thead>
          <tbody>
            {data?.quants.map((q) => (
              <tr
                key={q.id}
                data-testid={`quant-${q.folder}`}
                className={`border-b border-zinc-100 dark:border-zinc-800/60 ${q.id === data.recommendedQuantId ? "bg-sky-50/60 dark:bg-sky-950/30" : ""}`}
              >
                <td className="px-3 py-2 font-medium">{q.moeBits}</td>
                <td className="px-3 py-2 font-mono text-xs">{q.folder}</td>
                <td
                  className="px-3 py-2 tabular-nums"
                  title={q.sizeSource === "guide" ? t("models.sizeFromGuide") : undefined}
                >
                  {formatBytes(q.sizeBytes)}
                  {q.sizeSource === "guide" && "*"}
                </td>
                <td className="px-3 py-2">{q.accuracy}</td>
                <td className="px-3 py-2 text-xs text-zinc-500">{q.details}</td>
                <td className="px-3 py-2">
                  <VerdictBadge plan={q.plan} />
                </td>
                <td className="px-3 py-2 text-right">
                  <button
                    type="button"
                    className="rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
                    onClick={() =>
                      data && download.mutate({ repo: data.model.repo, include: [`*${q.folder}*`] })
                    }
                  >
                    {t("models.download")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data && !data.hub.reachable && (
        <p className="mt-2 text-xs text-zinc-500">* {t("models.sizeFromGuide")}</p>
      )}
      {download.error && <ErrorNote error={download.error} />}
    </Card>
  );
}
