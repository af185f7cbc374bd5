"use client";

import { useQuery } from "@tanstack/react-query";
import { Card } from "@/components/Card";
import { switchToBox } from "@/lib/agent/boxTarget";
import { agentQueries } from "@/lib/agent/queries";
import { boxState } from "@/lib/boxes/describeBox";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

/** Every box at a glance, checked every 15 s: reachable, memory, GPUs, model, speed. */
export function FleetCard() {
  const { t } = useI18n();
  const boxes = useQuery(agentQueries.boxes(true));
  if (!boxes.data || boxes.data.boxes.length === 0) return null;
  return (
    <Card title={t("fleet.title")} testId="fleet-card">
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm tabular-nums">
          <thead className="text-xs text-zinc-500">
            <tr>
              <th className="py-1 pr-3 font-normal">{t("boxes.name")}</th>
              <th className="pr-3 font-normal">{t("fleet.state")}</th>
              <th className="pr-3 font-normal">{t("fleet.memory")}</th>
              <th className="pr-3 font-normal">{t("fleet.gpus")}</th>
              <th className="pr-3 font-normal">{t("fleet.model")}</th>
              <th className="font-normal">{t("fleet.speed")}</th>
            </tr>
          </thead>
          <tbody>
            {boxes.data.boxes.map((box) => {
              const state = boxState(box.check);
              const s = box.check?.summary;
              return (
                <tr
                  key={box.name}
                  data-testid="fleet-box"
                  className="border-t border-zinc-200 dark:border-zinc-800"
                >
                  <td className="py-1 pr-3">
                    <button
                      type="button"
                      className="underline"
                      onClick={() => switchToBox(box.name)}
                    >
                      {box.name}
                    </button>
                  </td>
                  <td className={`pr-3 ${state.ok ? "text-emerald-600" : "text-red-600"}`}>
                    {t(state.key)}
                  </td>
                  <td className="pr-3">
                    {s
                      ? `${formatBytes(s.ramBytes - s.ramFreeBytes)} / ${formatBytes(s.ramBytes)}`
                      : "–"}
                  </td>
                  <td className="pr-3">
                    {s && s.gpus.length > 0
                      ? s.gpus
                          .map(
                            (g) =>
                              `${formatBytes(g.vramBytes - g.vramFreeBytes)} / ${formatBytes(g.vramBytes)}`,
                          )
                          .join(", ")
                      : "–"}
                  </td>
                  <td className="pr-3 font-mono text-xs">{s?.loadedModel ?? "–"}</td>
                  <td>{s?.tokensPerSecond ? `${s.tokensPerSecond.toFixed(1)} tok/s` : "–"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
