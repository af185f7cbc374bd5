"use client";

import { useQuery } from "@tanstack/react-query";
import { ErrorNote } from "@/components/ErrorNote";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";

/** What is inside a model: bytes per tensor type and role, from its headers. */
export function QuantMixTable({ modelId }: { modelId: string }) {
  const { t } = useI18n();
  const mix = useQuery(agentQueries.modelMix(modelId));
  if (mix.error) return <ErrorNote error={mix.error} />;
  if (!mix.data) return null;
  return (
    <div data-testid="quant-mix" className="mt-2 grid gap-1">
      <p className="text-xs text-zinc-500">
        {t("quant.inspect.summary", {
          bits: mix.data.bitsPerWeight.toFixed(2),
          type: mix.data.dominantType,
        })}
      </p>
      <table className="w-full text-left text-xs tabular-nums">
        <thead className="text-zinc-500">
          <tr>
            <th className="py-1 font-normal">{t("quant.role")}</th>
            <th className="font-normal">{t("quant.type")}</th>
            <th className="text-right font-normal">{t("quant.tensors")}</th>
            <th className="text-right font-normal">{t("quant.size")}</th>
            <th className="text-right font-normal">{t("quant.share")}</th>
            <th className="text-right font-normal">{t("quant.bits")}</th>
          </tr>
        </thead>
        <tbody>
          {mix.data.entries.map((e) => (
            <tr
              key={`${e.role} ${e.type}`}
              data-role={e.role}
              data-type={e.type}
              className="border-t border-zinc-200 dark:border-zinc-800"
            >
              <td className="py-1">{t(`quant.role.${e.role}` as MessageKey)}</td>
              <td className="font-mono">{e.type}</td>
              <td className="text-right">{e.tensors}</td>
              <td className="text-right">{formatBytes(e.bytes)}</td>
              <td className="text-right">{(e.share * 100).toFixed(1)}%</td>
              <td className="text-right">{e.bitsPerWeight.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
