"use client";

import type { MonitorSample } from "@quantdeck/shared";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Card } from "@/components/Card";
import { LineChart, type Series } from "@/components/LineChart";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes, formatRate } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

const WINDOW_MS = 15 * 60 * 1000;
const percent = (v: number) => `${Math.round(v * 100)}%`;
const rate = (v: number) => `${formatBytes(v)}/s`;

function series(
  samples: MonitorSample[],
  label: string,
  color: string,
  value: (s: MonitorSample) => number | null,
): Series {
  return {
    label,
    color,
    points: samples.flatMap((s) => {
      const v = value(s);
      return v === null ? [] : [{ t: s.t, v }];
    }),
  };
}

/** Every monitor series over the last 15 minutes; new samples arrive once a second over the socket. */
export function MonitorCharts() {
  const { t } = useI18n();
  const { data } = useQuery(agentQueries.monitor());
  const samples = data?.samples ?? [];
  const now = samples.at(-1)?.t ?? 0;
  const gpuIndexes = [...new Set(samples.at(-1)?.gpus.map((g) => g.index) ?? [])];
  const chart = (title: ReactNode, testId: string, content: ReactNode) => (
    <Card title={title} testId={testId}>
      {content}
    </Card>
  );
  return (
    <div className="grid gap-6">
      <p className="text-sm text-zinc-500">{t("monitor.window")}</p>
      <div className="grid gap-6 md:grid-cols-2">
        {chart(
          t("monitor.cpu"),
          "chart-cpu",
          <LineChart
            testId="cpu-chart"
            windowMs={WINDOW_MS}
            now={now}
            max={1}
            format={percent}
            series={[series(samples, "total", "#0ea5e9", (s) => s.cpu.total)]}
          />,
        )}
        {chart(
          t("monitor.ram"),
          "chart-ram",
          <LineChart
            windowMs={WINDOW_MS}
            now={now}
            max={1}
            format={percent}
            series={[
              series(
                samples,
                "RAM",
                "#10b981",
                (s) => s.memory.usedBytes / Math.max(1, s.memory.totalBytes),
              ),
              series(samples, t("hw.swap"), "#f59e0b", (s) =>
                s.memory.swapTotalBytes ? s.memory.swapUsedBytes / s.memory.swapTotalBytes : 0,
              ),
            ]}
          />,
        )}
        {chart(
          t("monitor.tokens"),
          "chart-tokens",
          <LineChart
            windowMs={WINDOW_MS}
            now={now}
            format={formatRate}
            series={[series(samples, "tok/s", "#8b5cf6", (s) => s.generation.tokensPerSecond)]}
          />,
        )}
        {chart(
          t("monitor.engine"),
          "chart-engine",
          <LineChart
            windowMs={WINDOW_MS}
            now={now}
            format={formatBytes}
            series={[series(samples, "RSS", "#f43f5e", (s) => s.engine.rssBytes)]}
          />,
        )}
        {chart(
          t("monitor.disk"),
          "chart-disk",
          <LineChart
            windowMs={WINDOW_MS}
            now={now}
            format={rate}
            series={[
              series(samples, "read", "#0ea5e9", (s) => s.disk.readBytesPerSecond),
              series(samples, "write", "#f59e0b", (s) => s.disk.writeBytesPerSecond),
            ]}
          />,
        )}
        {chart(
          t("monitor.network"),
          "chart-network",
          <LineChart
            windowMs={WINDOW_MS}
            now={now}
            format={rate}
            series={[
              series(samples, "in", "#10b981", (s) => s.network.receiveBytesPerSecond),
              series(samples, "out", "#0ea5e9", (s) => s.network.sendBytesPerSecond),
            ]}
          />,
        )}
        {gpuIndexes.map((index) => {
          const gpu = samples.at(-1)?.gpus.find((g) => g.index === index);
          return chart(
            t("monitor.gpu", { index, name: gpu?.name ?? "" }),
            `chart-gpu-${index}`,
            <LineChart
              windowMs={WINDOW_MS}
              now={now}
              max={1}
              format={percent}
              series={[
                series(
                  samples,
                  t("monitor.gpuUse"),
                  "#f59e0b",
                  (s) => s.gpus.find((g) => g.index === index)?.utilization ?? null,
                ),
                series(samples, t("monitor.vram"), "#0ea5e9", (s) => {
                  const g = s.gpus.find((x) => x.index === index);
                  return g ? g.vramUsedBytes / Math.max(1, g.vramTotalBytes) : null;
                }),
              ]}
            />,
          );
        })}
      </div>
    </div>
  );
}
