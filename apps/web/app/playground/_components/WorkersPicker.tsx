"use client";

import { api, renderAgentText, type SplitPlan } from "@quantdeck/shared";
import { useQuery } from "@tanstack/react-query";
import { ErrorNote } from "@/components/ErrorNote";
import { localAgentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

/**
 * Splitting the model across worker boxes (llama.cpp's RPC): which boxes, and the plan for
 * them with each link measured — each box's layers and memory, the speed, and whether this
 * box alone would be faster.
 */
export function WorkersPicker(props: {
  modelId: string;
  contextSize: number;
  workers: string[];
  onChange: (workers: string[]) => void;
}) {
  const { t } = useI18n();
  const boxes = useQuery(agentQueries.boxes());
  const names = boxes.data?.boxes.map((b) => b.name) ?? [];
  const plan = useQuery({
    queryKey: ["local", "splitPlan", props.modelId, props.contextSize, props.workers],
    queryFn: () =>
      localAgentApi.call(api.planSplit, {
        body: { model: props.modelId, workers: props.workers, contextSize: props.contextSize },
      }),
    enabled: props.workers.length > 0 && props.modelId !== "",
    retry: false,
    staleTime: 30_000,
  });
  if (names.length === 0) return null;
  const toggle = (name: string) =>
    props.onChange(
      props.workers.includes(name)
        ? props.workers.filter((w) => w !== name)
        : [...props.workers, name],
    );
  return (
    <fieldset className="grid gap-1 text-sm" data-testid="load-workers">
      <legend className="text-xs text-zinc-500">{t("load.workers")}</legend>
      <div className="flex flex-wrap gap-3">
        {names.map((name) => (
          <label key={name} className="flex items-center gap-1">
            <input
              type="checkbox"
              checked={props.workers.includes(name)}
              onChange={() => toggle(name)}
            />
            {name}
          </label>
        ))}
      </div>
      {plan.error && <ErrorNote error={plan.error} />}
      {plan.isFetching && !plan.data && (
        <p className="text-xs text-zinc-500">{t("load.workers.measuring")}</p>
      )}
      {plan.data && props.workers.length > 0 && <SplitPlanView plan={plan.data} />}
    </fieldset>
  );
}

function SplitPlanView({ plan }: { plan: SplitPlan }) {
  const { t, locale } = useI18n();
  return (
    <div data-testid="split-plan" className="grid gap-1 text-xs">
      <table className="w-fit text-left tabular-nums">
        <tbody>
          {plan.boxes.map((box) => (
            <tr key={box.name} className={box.fits ? "" : "text-red-600"}>
              <td className="pr-3">{box.role === "head" ? t("boxes.thisAgent") : box.name}</td>
              <td className="pr-3">{t("load.workers.layers", { count: box.layers })}</td>
              <td className="pr-3">
                {formatBytes(box.predictedBytes)} / {formatBytes(box.budgetBytes)}{" "}
                {box.device === "gpu" ? "VRAM" : "RAM"}
              </td>
              <td>
                {box.link ? `${box.link.megabitsPerSecond} Mbit/s · ${box.link.latencyMs} ms` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {t("load.workers.speed", {
          low: plan.tokensPerSecond.low.toFixed(1),
          high: plan.tokensPerSecond.high.toFixed(1),
        })}
      </p>
      <p className="text-zinc-500">{renderAgentText(plan.formula, locale)}</p>
      {plan.notes.map((note, i) => (
        <p key={i} className="text-amber-700 dark:text-amber-300">
          {renderAgentText(note, locale)}
        </p>
      ))}
    </div>
  );
}
