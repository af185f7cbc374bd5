"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { ConnectionBadge } from "./ConnectionBadge";
import { PreferencesMenu } from "./PreferencesMenu";

export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="mx-auto flex min-h-screen max-w-6xl flex-col px-4 sm:px-6">
      <header className="flex flex-wrap items-center justify-between gap-4 border-b border-zinc-200 py-4 dark:border-zinc-800">
        <div className="flex items-center gap-6">
          <Link href="/" className="text-lg font-bold tracking-tight">
            {t("app.name")}
          </Link>
          <nav aria-label="Main" className="flex gap-4 text-sm">
            <Link href="/" className="hover:underline focus-visible:underline">
              {t("nav.overview")}
            </Link>
            <Link
              href="/playground"
              data-testid="nav-playground"
              className="hover:underline focus-visible:underline"
            >
              {t("nav.playground")}
            </Link>
          </nav>
        </div>
        <div className="flex items-center gap-4">
          <ConnectionBadge />
          <PreferencesMenu />
        </div>
      </header>
      <main className="flex-1 py-6">{children}</main>
    </div>
  );
}
