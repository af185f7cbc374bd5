"use client";

import type { QualityRun } from "@quantdeck/shared";
import { useI18n } from "@/lib/i18n/I18nProvider";

const W = 560;
const H = 260;
const PAD = { left: 56, right: 16, top: 12, bottom: 36 };

/**
 * Bits per weight (x) against mean KL divergence (y, log scale): each candidate a labelled
 * point; the reference sits on the x axis (it does not drift from itself).
 */
export function QualityChart({ run }: { run: QualityRun }) {
  const { t } = useI18n();
  const points = run.candidates
    .filter((c) => c.result && c.result.meanKld > 0)
    .map((c) => ({
      label: c.kvCacheType === "f16" ? c.model : `${c.model} · KV ${c.kvCacheType}`,
      x: c.result?.bitsPerWeight ?? 0,
      y: c.result?.meanKld ?? 0,
    }));
  if (points.length === 0) return null;
  const xs = [...points.map((p) => p.x), run.referenceStep.bitsPerWeight];
  const [xMin, xMax] = [Math.min(...xs) * 0.9, Math.max(...xs) * 1.05];
  const logs = points.map((p) => Math.log10(p.y));
  const [yMin, yMax] = [Math.floor(Math.min(...logs)), Math.ceil(Math.max(...logs) + 0.01)];
  const sx = (x: number) =>
    PAD.left + ((x - xMin) / (xMax - xMin || 1)) * (W - PAD.left - PAD.right);
  const sy = (logY: number) =>
    PAD.top + (1 - (logY - yMin) / (yMax - yMin || 1)) * (H - PAD.top - PAD.bottom);
  const decades = Array.from({ length: yMax - yMin + 1 }, (_, i) => yMin + i);
  return (
    <figure className="grid gap-1" data-testid="quality-chart">
      <svg viewBox={`0 0 ${W} ${H}`} className="w-full max-w-2xl text-zinc-500" role="img">
        <title>{t("quality.chart")}</title>
        {decades.map((d) => (
          <g key={d}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={sy(d)}
              y2={sy(d)}
              stroke="currentColor"
              strokeOpacity={0.2}
            />
            <text x={PAD.left - 6} y={sy(d) + 4} textAnchor="end" fontSize={11} fill="currentColor">
              1e{d}
            </text>
          </g>
        ))}
        <line
          x1={PAD.left}
          x2={W - PAD.right}
          y1={H - PAD.bottom}
          y2={H - PAD.bottom}
          stroke="currentColor"
        />
        {[xMin, (xMin + xMax) / 2, xMax].map((x) => (
          <text
            key={x}
            x={sx(x)}
            y={H - PAD.bottom + 16}
            textAnchor="middle"
            fontSize={11}
            fill="currentColor"
          >
            {x.toFixed(1)}
          </text>
        ))}
        <g data-testid="quality-point-reference">
          <circle
            cx={sx(run.referenceStep.bitsPerWeight)}
            cy={H - PAD.bottom}
            r={5}
            className="fill-emerald-500"
          />
          <text
            x={sx(run.referenceStep.bitsPerWeight)}
            y={H - PAD.bottom - 8}
            textAnchor="end"
            fontSize={11}
            fill="currentColor"
          >
            {run.reference}
          </text>
        </g>
        {points.map((p) => {
          // Labels of points in the right half go to their left, inside the chart.
          const left = sx(p.x) > W / 2;
          return (
            <g key={p.label} data-testid="quality-point">
              <circle cx={sx(p.x)} cy={sy(Math.log10(p.y))} r={5} className="fill-sky-500" />
              <text
                x={sx(p.x) + (left ? -8 : 8)}
                y={sy(Math.log10(p.y)) + 4}
                textAnchor={left ? "end" : "start"}
                fontSize={11}
                fill="currentColor"
              >
                {p.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="text-xs text-zinc-500">{t("quality.chart")}</figcaption>
    </figure>
  );
}
