"use client";

import type { ReactNode } from "react";
import { AgentProvider } from "@/lib/agent/AgentProvider";
import { I18nProvider } from "@/lib/i18n/I18nProvider";

export function Providers({ children }: { children: ReactNode }) {
  return (
    <I18nProvider>
      <AgentProvider>{children}</AgentProvider>
    </I18nProvider>
  );
}
