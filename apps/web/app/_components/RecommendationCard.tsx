"use client";

import { renderAgentText } from "@quantdeck/shared";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card, Field } from "@/components/Card";
import { VerdictBadge } from "@/components/VerdictBadge";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes, formatSpeedRange } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

/** The catalog's answer for this box: which DeepSeek-V3-0324 quant, and how it would run. */
export function RecommendationCard() {
  const { t, locale } = useI18n();
  const { data } = useQuery(agentQueries.catalog());
  const quant = data?.quants.find((q) => q.id === data.recommendedQuantId);
  return (
    <Card
      title={t("rec.title")}
      testId="recommendation-card"
      actions={
        <Link href="/models" className="text-xs text-sky-600 hover:underline">
          {t("nav.models")} →
        </Link>
      }
    >
      {quant ? (
        <div className="grid gap-2">
          <dl>
            <Field label={t("rec.quant")}>
              <span data-testid="recommended-quant">
                {quant.folder} · {formatBytes(quant.sizeBytes)}
              </span>
            </Field>
            <Field label={t("models.fit")}>
              <VerdictBadge plan={quant.plan} />
            </Field>
            <Field label={t("rec.speed")}>{formatSpeedRange(quant.plan.tokensPerSecond, t)}</Field>
          </dl>
          <p className="text-xs text-zinc-500">
            {renderAgentText(quant.plan.ruleOfThumb.comparison, locale)}
          </p>
        </div>
      ) : (
        <p className="text-sm text-zinc-500">—</p>
      )}
    </Card>
  );
}
