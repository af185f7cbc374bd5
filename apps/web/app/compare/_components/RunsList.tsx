"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card } from "@/components/Card";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";

export function RunsList() {
  const { t, locale } = useI18n();
  const { data, hasNextPage, fetchNextPage, isFetchingNextPage } = useInfiniteQuery(
    agentQueries.compareRuns(),
  );
  const runs = data?.pages.flatMap((page) => page.runs);
  return (
    <Card title={t("compare.runs")} testId="compare-runs">
      {runs?.length === 0 && <p className="text-sm text-zinc-500">{t("compare.noRuns")}</p>}
      <ul className="grid gap-2">
        {runs?.map((run) => (
          <li key={run.id}>
            <Link
              href={`/compare/${run.id}`}
              data-testid="compare-run-link"
              className="block rounded-md border border-zinc-200 p-3 hover:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-800/50"
            >
              <div className="flex items-center justify-between gap-2 text-sm">
                <span className="font-medium">{run.prompt.title}</span>
                <span className="text-xs text-zinc-500">{t(`compare.state.${run.state}`)}</span>
              </div>
              <div className="mt-1 text-xs text-zinc-500">
                {new Date(run.createdAt).toLocaleString(locale)} ·{" "}
                {t("compare.columns", { count: run.answers.length })} ·{" "}
                {run.answers.map((a) => a.label).join(" / ")}
              </div>
            </Link>
          </li>
        ))}
      </ul>
      {hasNextPage && (
        <button
          type="button"
          onClick={() => void fetchNextPage()}
          disabled={isFetchingNextPage}
          className="mt-3 text-sm text-sky-700 hover:underline disabled:opacity-50 dark:text-sky-400"
          data-testid="compare-runs-older"
        >
          {t("compare.olderRuns")}
        </button>
      )}
    </Card>
  );
}
