"use client";

import type { MonitorSample } from "@quantdeck/shared";
import { useQuery } from "@tanstack/react-query";
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

type Line = [label: string, color: string, value: (s: MonitorSample) => number | null];
interface ChartSpec {
  id: string;
  title: string;
  format: (value: number) => string;
  /** A fixed top of the scale (1 for shares); else it follows the data. */
  max?: number;
  lines: Line[];
  testId?: string;
}

const share = (part: number, whole: number) => part / Math.max(1, whole);

/** Every monitor series over the last 15 minutes; new samples arrive once a second over the socket. */
export function MonitorCharts() {
  const { t } = useI18n();
  const { data } = useQuery(agentQueries.monitor());
  const samples = data?.samples ?? [];
  const now = samples.at(-1)?.t ?? 0;
  const gpus = samples.at(-1)?.gpus ?? [];
  const gpu = (s: MonitorSample, index: number) => s.gpus.find((g) => g.index === index);
  const charts: ChartSpec[] = [
    {
      id: "cpu",
      testId: "cpu-chart",
      title: t("monitor.cpu"),
      format: percent,
      max: 1,
      lines: [["total", "#0ea5e9", (s) => s.cpu.total]],
    },
    {
      id: "ram",
      title: t("monitor.ram"),
      format: percent,
      max: 1,
      lines: [
        ["RAM", "#10b981", (s) => share(s.memory.usedBytes, s.memory.totalBytes)],
        [t("hw.swap"), "#f59e0b", (s) => share(s.memory.swapUsedBytes, s.memory.swapTotalBytes)],
      ],
    },
    {
      id: "tokens",
      title: t("monitor.tokens"),
      format: formatRate,
      lines: [["tok/s", "#8b5cf6", (s) => s.generation.tokensPerSecond]],
    },
    {
      id: "engine",
      title: t("monitor.engine"),
      format: formatBytes,
      lines: [["RSS", "#f43f5e", (s) => s.engine.rssBytes]],
    },
    {
      id: "disk",
      title: t("monitor.disk"),
      format: rate,
      lines: [
        ["read", "#0ea5e9", (s) => s.disk.readBytesPerSecond],
        ["write", "#f59e0b", (s) => s.disk.writeBytesPerSecond],
      ],
    },
    {
      id: "network",
      title: t("monitor.network"),
      format: rate,
      lines: [
        ["in", "#10b981", (s) => s.network.receiveBytesPerSecond],
        ["out", "#0ea5e9", (s) => s.network.sendBytesPerSecond],
      ],
    },
    ...gpus.map(({ index, name }): ChartSpec => ({
      id: `gpu-${index}`,
      title: t("monitor.gpu", { index, name }),
      format: percent,
      max: 1,
      lines: [
        [t("monitor.gpuUse"), "#f59e0b", (s) => gpu(s, index)?.utilization ?? null],
        [
          t("monitor.vram"),
          "#0ea5e9",
          (s) => {
            const g = gpu(s, index);
            return g ? share(g.vramUsedBytes, g.vramTotalBytes) : null;
          },
        ],
      ],
    })),
  ];
  return (
    <div className="grid gap-6">
      <p className="text-sm text-zinc-500">{t("monitor.window")}</p>
      <div className="grid gap-6 md:grid-cols-2">
        {charts.map((chart) => (
          <Card key={chart.id} title={chart.title} testId={`chart-${chart.id}`}>
            <LineChart
              {...(chart.testId && { testId: chart.testId })}
              windowMs={WINDOW_MS}
              now={now}
              {...(chart.max !== undefined && { max: chart.max })}
              format={chart.format}
              series={chart.lines.map(([label, color, value]) =>
                series(samples, label, color, value),
              )}
            />
          </Card>
        ))}
      </div>
    </div>
  );
}
