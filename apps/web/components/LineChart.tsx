"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { themePreference } from "@/lib/theme";

export interface Series {
  label: string;
  /** The line's colour (a CSS colour). */
  color: string;
  points: { t: number; v: number }[];
}

const HEIGHT = 160;

/**
 * A time-series chart over a fixed window (the monitor's 15 minutes), drawn by uPlot: a
 * time axis, a value axis in the series' unit (`format`), and a read-out of every series at
 * the pointer (the latest values when the pointer is elsewhere), in both themes. `max`
 * fixes the scale (1 for shares).
 */
export function LineChart({
  series,
  windowMs,
  now,
  max,
  format,
  testId,
}: {
  series: Series[];
  windowMs: number;
  now: number;
  max?: number;
  format: (value: number) => string;
  testId?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dark = themePreference.use() === "dark";
  const { t, locale } = useI18n();
  // The chart's options are made once per theme and series shape; data alone changes often.
  const shape = `${dark}|${locale}|${max ?? ""}|${series.map((s) => `${s.label}:${s.color}`).join(",")}`;
  // What the chart's callbacks read: kept current by the data effect below.
  const latest = useRef({ format, windowMs, now });

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const ink = dark ? "#a1a1aa" : "#52525b";
    const grid = dark ? "rgba(161,161,170,0.15)" : "rgba(82,82,91,0.12)";
    const axis = { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const plot = new uPlot(
      {
        width: element.clientWidth || 600,
        height: HEIGHT,
        scales: {
          x: {
            time: true,
            range: () => {
              const end = latest.current.now / 1000;
              return [end - latest.current.windowMs / 1000, end];
            },
          },
          // From zero; an all-zero series still gets a readable scale.
          y:
            max === undefined
              ? { range: (_u, _lo, hi) => [0, hi > 0 ? hi : 1] }
              : { range: [0, max] },
        },
        axes: [
          {
            ...axis,
            values: (_u, splits) =>
              splits.map((s) =>
                new Date(s * 1000).toLocaleTimeString(locale, {
                  hour: "2-digit",
                  minute: "2-digit",
                }),
              ),
          },
          {
            ...axis,
            size: 84,
            values: (_u, splits) => splits.map((v) => latest.current.format(v)),
          },
        ],
        series: [
          {
            label: t("monitor.time"),
            value: (_u: uPlot, v: number | null) =>
              v === null ? "—" : new Date(v * 1000).toLocaleTimeString(locale),
          },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            value: (_u: uPlot, v: number | null) => (v === null ? "—" : latest.current.format(v)),
          })),
        ],
        legend: { live: true },
        cursor: { y: false },
      },
      alignedData(series),
      element,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: element.clientWidth, height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // Rebuilt when the theme or the series change; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    latest.current = { format, windowMs, now };
    const plot = chart.current;
    if (!plot) return;
    const data = alignedData(series);
    plot.setData(data);
    // Away from the pointer, the read-out shows the latest values.
    if (plot.cursor.idx == null && data[0].length > 0) plot.setLegend({ idx: data[0].length - 1 });
  });

  return (
    <figure
      data-testid={testId}
      data-points={series[0]?.points.length ?? 0}
      aria-label={series
        .map((s) => {
          const last = s.points.at(-1)?.v;
          return `${s.label}: ${last === undefined ? "—" : format(last)}`;
        })
        .join(", ")}
      className="text-xs text-zinc-500 tabular-nums"
    >
      <div ref={container} className="w-full" />
    </figure>
  );
}

/** uPlot's data: one time column (seconds) and one value column per series, gaps as null. */
function alignedData(series: Series[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const columns = series.map((s) => {
    const byTime = new Map(s.points.map((p) => [p.t, p.v]));
    return times.map((t) => byTime.get(t) ?? null);
  });
  return [times.map((t) => t / 1000), ...columns];
}
