"use client";

import { useConnectionState } from "@/lib/agent/AgentProvider";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";

const looks = {
  connected: { dot: "bg-emerald-500", label: "connection.connected" },
  connecting: { dot: "bg-amber-400 animate-pulse", label: "connection.connecting" },
  reconnecting: { dot: "bg-amber-500 animate-pulse", label: "connection.reconnecting" },
  rejected: { dot: "bg-red-500", label: "connection.rejected" },
  closed: { dot: "bg-zinc-400", label: "connection.disconnected" },
} as const satisfies Record<string, { dot: string; label: MessageKey }>;

/** The live connection state, always visible in the header. */
export function ConnectionBadge() {
  const state = useConnectionState();
  const { t } = useI18n();
  const look = looks[state.kind];
  return (
    <span
      role="status"
      aria-live="polite"
      data-testid="connection-state"
      data-state={state.kind}
      className="inline-flex items-center gap-2 text-sm"
    >
      <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${look.dot}`} />
      {t(look.label)}
    </span>
  );
}
