export interface Series {
  label: string;
  /** Tailwind stroke class, e.g. "stroke-sky-500". */
  className: string;
  points: { t: number; v: number }[];
}

const WIDTH = 600;
const HEIGHT = 120;

/**
 * A small SVG line chart over a fixed time window (the monitor's 15 minutes): no charting
 * library, no layout shift as points arrive. `max` fixes the scale (1 for shares).
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
  const top = max ?? Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p.v)));
  const x = (t: number) => ((t - (now - windowMs)) / windowMs) * WIDTH;
  const y = (v: number) => HEIGHT - (Math.min(v, top) / top) * (HEIGHT - 4) - 2;
  const latest = series.map((s) => s.points.at(-1)?.v);
  return (
    <figure data-testid={testId} data-points={series[0]?.points.length ?? 0}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        className="h-28 w-full"
        role="img"
        aria-label={series
          .map((s, i) => `${s.label}: ${latest[i] === undefined ? "—" : format(latest[i])}`)
          .join(", ")}
      >
        <line
          x1={0}
          x2={WIDTH}
          y1={HEIGHT - 1}
          y2={HEIGHT - 1}
          className="stroke-zinc-300 dark:stroke-zinc-700"
          strokeWidth={1}
        />
        {series.map((s) => (
          <polyline
            key={s.label}
            fill="none"
            strokeWidth={2}
            vectorEffect="non-scaling-stroke"
            className={s.className}
            points={s.points
              .filter((p) => p.t >= now - windowMs)
              .map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`)
              .join(" ")}
          />
        ))}
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-x-4 text-xs text-zinc-500 tabular-nums">
        {series.map((s, i) => (
          <span key={s.label}>
            {s.label}:{" "}
            <span className="font-medium text-zinc-800 dark:text-zinc-200">
              {latest[i] === undefined ? "—" : format(latest[i])}
            </span>
          </span>
        ))}
        {max === undefined && <span>max {format(top)}</span>}
      </figcaption>
    </figure>
  );
}
