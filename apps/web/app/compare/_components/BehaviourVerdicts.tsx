"use client";

import { agentText, renderAgentText, type Behaviour } from "@quantdeck/shared";
import { useI18n } from "@/lib/i18n/I18nProvider";

/**
 * What the program was seen to do, verdict by verdict, with the measured figure. A verdict
 * that one moment decides (the first escape, the longest overlap) seeks every recording
 * there when clicked.
 */
export function BehaviourVerdicts({
  behaviour,
  onSeek,
}: {
  behaviour: Behaviour;
  onSeek: (seconds: number) => void;
}) {
  const { t, locale } = useI18n();
  const passed = behaviour.verdicts.filter((v) => v.passed).length;
  return (
    <div data-testid="compare-behaviour" data-method={behaviour.method}>
      <h3 className="text-sm font-semibold">
        {t("compare.behaviour")}{" "}
        {behaviour.verdicts.length > 0 && (
          <span className="font-normal text-zinc-500" data-testid="compare-behaviour-score">
            {passed}/{behaviour.verdicts.length}
          </span>
        )}
      </h3>
      <p className="text-[11px] text-zinc-500">{t(`compare.behaviour.${behaviour.method}`)}</p>
      <ul className="mt-1 grid gap-1 text-sm">
        {behaviour.verdicts.map((verdict) => (
          <li key={verdict.id} data-testid="compare-verdict" data-verdict-passed={verdict.passed}>
            <span className={verdict.passed ? "text-emerald-600" : "text-red-600"}>
              {verdict.passed ? "✓" : "✗"}
            </span>{" "}
            {renderAgentText(agentText(`verdict.${verdict.id}`), locale)}
            <span className="block pl-5 text-xs text-zinc-500">
              {renderAgentText(verdict.figure, locale)}
              {verdict.at !== null && (
                <button
                  type="button"
                  className="ml-2 text-sky-600 hover:underline"
                  data-testid="compare-verdict-seek"
                  onClick={() => onSeek(verdict.at ?? 0)}
                >
                  {t("compare.seekTo", { seconds: verdict.at.toFixed(1) })}
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
