"use client";

import { api, type DownloadJob } from "@quantdeck/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { UsageBar } from "@/components/UsageBar";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes, formatDuration } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

const DOWNLOAD_ACTIONS = {
  pause: api.pauseDownload,
  resume: api.resumeDownload,
  cancel: api.cancelDownload,
};

export function DownloadsList() {
  const { t } = useI18n();
  const { data } = useQuery(agentQueries.downloads());
  return (
    <Card title={t("models.downloads")} testId="downloads">
      {data?.downloads.length === 0 && (
        <p className="text-sm text-zinc-500">{t("models.noDownloads")}</p>
      )}
      <ul className="grid gap-4">
        {data?.downloads
          .slice()
          .reverse()
          .map((job) => (
            <DownloadRow key={job.id} job={job} />
          ))}
      </ul>
    </Card>
  );
}

function DownloadRow({ job }: { job: DownloadJob }) {
  const { t } = useI18n();
  const action = useMutation({
    mutationFn: (what: "pause" | "resume" | "cancel") =>
      agentApi.call(DOWNLOAD_ACTIONS[what], { params: { id: job.id } }),
  });
  const share = job.totalBytes > 0 ? job.doneBytes / job.totalBytes : 0;
  const button =
    "rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800";
  return (
    <li data-testid="download" data-state={job.state} className="grid gap-1.5">
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="min-w-0 font-medium">
          {job.repo}{" "}
          <span className="font-mono text-xs text-zinc-500">{job.include.join(" ")}</span>
        </span>
        <span className="flex items-center gap-2">
          <span className="text-xs text-zinc-500">{t(`dl.state.${job.state}`)}</span>
          {(job.state === "running" || job.state === "queued") && (
            <button type="button" className={button} onClick={() => action.mutate("pause")}>
              {t("dl.pause")}
            </button>
          )}
          {(job.state === "paused" || job.state === "failed") && (
            <button type="button" className={button} onClick={() => action.mutate("resume")}>
              {t("dl.resume")}
            </button>
          )}
          {job.state !== "completed" && job.state !== "cancelled" && (
            <button type="button" className={button} onClick={() => action.mutate("cancel")}>
              {t("dl.cancel")}
            </button>
          )}
        </span>
      </div>
      <UsageBar
        value={share}
        label={`${job.repo} ${Math.round(share * 100)}%`}
        tone={job.state === "failed" ? "red" : job.state === "completed" ? "emerald" : "sky"}
        testId="download-progress"
      />
      <p className="text-xs text-zinc-500 tabular-nums">
        {Math.round(share * 100)}% ·{" "}
        {t("dl.progress", {
          done: formatBytes(job.doneBytes),
          total: formatBytes(job.totalBytes),
          speed: formatBytes(job.bytesPerSecond),
          eta: job.etaSeconds === null ? "—" : formatDuration(job.etaSeconds, t),
        })}
      </p>
      {job.error && (
        <ErrorNote error={job.error} tone={job.state === "paused" ? "warning" : "error"} />
      )}
      {action.error && <ErrorNote error={action.error} />}
    </li>
  );
}
