"use client";

import { api } from "@quantdeck/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRef, useState } from "react";
import { ErrorNote } from "@/components/ErrorNote";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { AnswerColumn } from "./AnswerColumn";
import { secondaryButton } from "@/components/formStyles";

/**
 * One comparison, answers side by side: recordings playing together, checklists, code with
 * a diff against the first column, stats. Projector mode makes everything larger and hides
 * the rest of the page's chrome-like details.
 */
export function CompareViewer({ id }: { id: string }) {
  const { t } = useI18n();
  const { data: run, error } = useQuery(agentQueries.compareRun(id));
  const cancel = useMutation({
    mutationFn: () => agentApi.call(api.cancelCompare, { params: { id } }),
  });
  const [projector, setProjector] = useState(false);
  const videos = useRef(new Map<number, HTMLVideoElement>());

  if (error) return <ErrorNote error={error} />;
  if (!run) return null;

  const allVideos = () => [...videos.current.values()];
  const playAll = () => {
    for (const video of allVideos()) void video.play().catch(() => undefined);
  };
  const pauseAll = () => allVideos().forEach((video) => video.pause());
  const seekAll = (seconds: number) => {
    for (const video of allVideos()) {
      video.currentTime = seconds;
      video.pause();
    }
  };
  const restartAll = () => {
    for (const video of allVideos()) video.currentTime = 0;
    playAll();
  };
  const firstCode = run.answers[0]?.code ?? null;
  const running = run.state === "queued" || run.state === "running";

  return (
    <div
      className={`grid gap-4 ${projector ? "text-lg" : ""}`}
      data-testid="compare-viewer"
      data-state={run.state}
    >
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <Link href="/compare" className="text-xs text-zinc-500 hover:underline">
            ← {t("compare.back")}
          </Link>
          <h1 className={`font-semibold ${projector ? "text-3xl" : "text-xl"}`}>
            {run.prompt.title}
          </h1>
          <p className="text-sm text-zinc-500">
            {t(`compare.state.${run.state}`)} ·{" "}
            {t("compare.settings", {
              seed: run.sampling.seed ?? "-",
              temperature: run.sampling.temperature ?? 0.3,
              seconds: run.recordSeconds,
            })}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            className={secondaryButton}
            onClick={playAll}
            data-testid="compare-play-all"
          >
            ▶ {t("compare.playAll")}
          </button>
          <button type="button" className={secondaryButton} onClick={pauseAll}>
            ❚❚ {t("compare.pauseAll")}
          </button>
          <button type="button" className={secondaryButton} onClick={restartAll}>
            ⟲ {t("compare.restart")}
          </button>
          <label className={`${secondaryButton} flex items-center gap-2`}>
            <input
              type="checkbox"
              checked={projector}
              onChange={(e) => setProjector(e.target.checked)}
            />
            {t("compare.projector")}
          </label>
          <a
            className={secondaryButton}
            href={agentApi.urlOf(api.compareExport, { params: { id: run.id } })}
            download
            data-testid="compare-export"
          >
            {t("compare.export")}
          </a>
          {running && (
            <button type="button" className={secondaryButton} onClick={() => cancel.mutate()}>
              {t("compare.cancel")}
            </button>
          )}
        </div>
      </header>
      {run.answers.some((a) => a.execution === null) && !run.sandbox.available && (
        <ErrorNote
          tone="warning"
          error={{ title: t("compare.sandboxMissing", { hint: run.sandbox.hint ?? "" }) }}
        />
      )}
      {run.answers.some((a) => a.execution?.behaviour?.verdicts.length) && (
        <dl
          className="flex flex-wrap gap-x-6 gap-y-1 text-sm"
          data-testid="compare-summary"
          aria-label={t("compare.behaviour")}
        >
          {run.answers.map((answer) => {
            const verdicts = answer.execution?.behaviour?.verdicts ?? [];
            return (
              <div key={answer.index} className="flex gap-2">
                <dt className="text-zinc-500">{answer.label}</dt>
                <dd className="font-semibold tabular-nums">
                  {verdicts.length > 0
                    ? `${verdicts.filter((v) => v.passed).length}/${verdicts.length}`
                    : "—"}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      <div
        className="grid gap-4"
        style={{
          gridTemplateColumns: `repeat(${Math.min(run.answers.length, 4)}, minmax(0, 1fr))`,
        }}
      >
        {run.answers.map((answer) => (
          <AnswerColumn
            key={answer.index}
            runId={run.id}
            answer={answer}
            baseCode={answer.index === 0 ? null : firstCode}
            projector={projector}
            onSeek={seekAll}
            videoRef={(element) => {
              if (element) videos.current.set(answer.index, element);
              else videos.current.delete(answer.index);
            }}
          />
        ))}
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-zinc-500">{t("compare.showPrompt")}</summary>
        <pre className="mt-2 overflow-auto rounded-md bg-zinc-100 p-3 text-xs whitespace-pre-wrap dark:bg-zinc-950">
          {run.prompt.text}
        </pre>
      </details>
    </div>
  );
}
