"use client";

import type { FitPlan } from "@quantdeck/shared";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

const tones: Record<FitPlan["verdict"], string> = {
  fitsInVram: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  fitsWithOffload: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  fitsInRam: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  willSwap: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  needsMoreMemory: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
};

/** A plan's verdict in a word or three, coloured by how well the model fits. */
export function VerdictBadge({ plan }: { plan: FitPlan }) {
  const { t } = useI18n();
  return (
    <span
      data-verdict={plan.verdict}
      className={`inline-block rounded-full px-2.5 py-0.5 text-xs font-semibold whitespace-nowrap ${tones[plan.verdict]}`}
    >
      {t(`verdict.${plan.verdict}`, { gb: formatBytes(plan.shortfallBytes) })}
    </span>
  );
}
