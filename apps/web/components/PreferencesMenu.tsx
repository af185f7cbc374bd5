"use client";

import { useId } from "react";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { localeNames, locales, type Locale } from "@/lib/i18n/messages";
import { themePreference } from "@/lib/theme";
import { HiddenLabel } from "./HiddenLabel";

/** Language and theme, in the header so they are one click away on every page. */
export function PreferencesMenu({ testId = "language" }: { testId?: string }) {
  const { locale, setLocale, t } = useI18n();
  // Rendered in the header and on the settings page: ids must differ.
  const id = useId();
  const dark = themePreference.use() === "dark";

  const toggleTheme = () => {
    document.documentElement.classList.toggle("dark", !dark);
    themePreference.set(dark ? "light" : "dark");
  };

  const control =
    "rounded-md border border-zinc-300 bg-transparent px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-zinc-700";
  return (
    <div className="flex items-center gap-2">
      <HiddenLabel htmlFor={id}>{t("nav.language")}</HiddenLabel>
      <select
        id={id}
        data-testid={testId}
        className={control}
        value={locale}
        onChange={(e) => setLocale(e.target.value as Locale)}
      >
        {locales.map((l) => (
          <option
            key={l}
            value={l}
            className="bg-white text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100"
          >
            {localeNames[l]}
          </option>
        ))}
      </select>
      <button type="button" className={control} onClick={toggleTheme} aria-label={t("nav.theme")}>
        {dark ? t("theme.light") : t("theme.dark")}
      </button>
    </div>
  );
}
