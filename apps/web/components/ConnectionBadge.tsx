"use client";

import { useConnectionState } from "@/lib/agent/AgentProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";

const styles = {
  connected: "bg-emerald-500",
  connecting: "bg-amber-400 animate-pulse",
  reconnecting: "bg-amber-500 animate-pulse",
  rejected: "bg-red-500",
} as const;

/** The live connection state, always visible in the header. */
export function ConnectionBadge() {
  const state = useConnectionState();
  const { t } = useI18n();
  const label: MessageKey = `connection.${state.kind}`;
  return (
    <span
      role="status"
      aria-live="polite"
      data-testid="connection-state"
      data-state={state.kind}
      className="inline-flex items-center gap-2 text-sm"
    >
      <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${styles[state.kind]}`} />
      {t(label)}
    </span>
  );
}
