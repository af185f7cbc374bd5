"use client";

import { useQuery } from "@tanstack/react-query";
import { field, option } from "@/components/formStyles";
import { switchToBox, useViewedBox } from "@/lib/agent/boxTarget";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";

/**
 * Which box every page shows: this agent, or one of the boxes it manages. Shown once there
 * is a box; a page showing a box says so, so that nobody unloads the wrong machine's model.
 */
export function BoxSwitcher() {
  const { t } = useI18n();
  const boxes = useQuery(agentQueries.boxes());
  const box = useViewedBox();
  const names = boxes.data?.boxes.map((b) => b.name) ?? [];
  if (names.length === 0 && box === null) return null;
  return (
    <label className="flex items-center gap-2 text-sm">
      <span
        className={box ? "rounded bg-violet-600 px-2 py-0.5 text-xs text-white" : "text-zinc-500"}
      >
        {box ? t("boxes.viewing") : t("boxes.show")}
      </span>
      <select
        data-testid="box-switcher"
        aria-label={t("boxes.show")}
        className={field}
        value={box ?? ""}
        onChange={(e) => switchToBox(e.target.value || null)}
      >
        <option value="" className={option}>
          {t("boxes.thisAgent")}
        </option>
        {[...new Set([...names, ...(box ? [box] : [])])].map((name) => (
          <option key={name} value={name} className={option}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
