"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";

const NAV: { href: string; label: MessageKey }[] = [
  { href: "/", label: "nav.overview" },
  { href: "/playground", label: "nav.playground" },
  { href: "/compare", label: "nav.compare" },
  { href: "/models", label: "nav.models" },
  { href: "/quality", label: "nav.quality" },
  { href: "/monitor", label: "nav.monitor" },
  { href: "/settings", label: "nav.settings" },
];
import { BoxSwitcher } from "./BoxSwitcher";
import { ConnectionBadge } from "./ConnectionBadge";
import { PreferencesMenu } from "./PreferencesMenu";

export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const pathname = usePathname();
  return (
    <div
      className={`mx-auto flex min-h-screen flex-col px-4 sm:px-6 ${
        // Side-by-side answers need the whole width (and a projector's).
        pathname.startsWith("/compare/") ? "max-w-[120rem]" : "max-w-6xl"
      }`}
    >
      <header className="flex flex-wrap items-center justify-between gap-4 border-b border-zinc-200 py-4 dark:border-zinc-800">
        <div className="flex items-center gap-6">
          <Link href="/" className="text-lg font-bold tracking-tight">
            {t("app.name")}
          </Link>
          <nav aria-label="Main" className="flex flex-wrap gap-4 text-sm">
            {NAV.map(({ href, label }) => (
              <Link
                key={href}
                href={href}
                data-testid={`nav-${label.split(".")[1]}`}
                aria-current={
                  pathname === href || (href !== "/" && pathname.startsWith(`${href}/`))
                    ? "page"
                    : undefined
                }
                className="hover:underline focus-visible:underline aria-[current=page]:font-semibold aria-[current=page]:text-sky-600"
              >
                {t(label)}
              </Link>
            ))}
          </nav>
        </div>
        <div className="flex items-center gap-4">
          <BoxSwitcher />
          <ConnectionBadge />
          <PreferencesMenu />
        </div>
      </header>
      <main className="flex-1 py-6">{children}</main>
    </div>
  );
}
