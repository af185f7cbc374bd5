"use client";

import { PROTOCOL_VERSION } from "@quantdeck/shared";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Card, Field } from "@/components/Card";
import { useConnectionState } from "@/lib/agent/AgentProvider";
import { agentQueries } from "@/lib/agent/queries";
import { formatDuration } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

export function ConnectionCard() {
  const state = useConnectionState();
  const { t } = useI18n();
  const status = useQuery({ ...agentQueries.status(), enabled: state.kind === "connected" });

  return (
    <Card title={t("connection.title")} testId="connection-card">
      {state.kind === "rejected" && (
        <p
          role="alert"
          className="mb-3 rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {t(`rejected.${state.reason}`)}
        </p>
      )}
      {state.kind === "reconnecting" && <RetryCountdown retryAt={state.retryAt} />}
      <dl>
        <Field label={t("connection.agentVersion")}>
          <span data-testid="agent-version">
            {state.kind === "connected"
              ? state.agentVersion
              : state.kind === "rejected"
                ? state.agentVersion
                : "—"}
          </span>
        </Field>
        <Field label={t("connection.protocol")}>
          <span data-testid="protocol-version">
            {t("connection.protocolValue", {
              agent:
                state.kind === "connected"
                  ? state.protocolVersion
                  : state.kind === "rejected"
                    ? state.agentProtocolVersion
                    : "?",
              dashboard: PROTOCOL_VERSION,
            })}
          </span>
        </Field>
        <Field label={t("connection.host")}>{status.data?.hostname ?? "—"}</Field>
        <Field label={t("connection.uptime")}>
          {status.data ? formatDuration(status.data.uptimeSeconds, t) : "—"}
        </Field>
      </dl>
    </Card>
  );
}

function RetryCountdown({ retryAt }: { retryAt: number }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return (
    <p className="mb-3 text-sm text-amber-700 dark:text-amber-300">
      {t("connection.retryIn", { seconds: Math.max(0, Math.ceil((retryAt - now) / 1000)) })}
    </p>
  );
}
