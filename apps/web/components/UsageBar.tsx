/** A horizontal bar for a share (0–1): memory use, download progress. */
export function UsageBar({
  value,
  label,
  tone = "sky",
  testId,
}: {
  value: number;
  label: string;
  tone?: "sky" | "emerald" | "amber" | "red";
  testId?: string;
}) {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  const colors = {
    sky: "bg-sky-500",
    emerald: "bg-emerald-500",
    amber: "bg-amber-500",
    red: "bg-red-500",
  };
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped * 100)}
      data-testid={testId}
      className="h-2 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
    >
      <div
        className={`h-full ${colors[tone]} transition-[width] duration-300`}
        style={{ width: `${clamped * 100}%` }}
      />
    </div>
  );
}
