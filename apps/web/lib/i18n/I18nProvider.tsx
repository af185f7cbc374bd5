"use client";

import { createContext, useContext, useEffect, useMemo, type ReactNode } from "react";
import { createStoredPreference } from "../storedPreference";
import { locales, translate, type Locale, type MessageKey } from "./messages";

const isLocale = (value: string | null): value is Locale => locales.includes(value as Locale);

/** The saved language, else the browser's, else English. */
const localePreference = createStoredPreference<Locale>("quantdeck.locale", "en", (saved) => {
  if (isLocale(saved)) return saved;
  const browser = navigator.language.slice(0, 2);
  return isLocale(browser) ? browser : "en";
});

interface I18nValue {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const locale = localePreference.use();

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const value = useMemo<I18nValue>(
    () => ({
      locale,
      setLocale: localePreference.set,
      t: (key, vars) => translate(locale, key, vars),
    }),
    [locale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n must be used inside I18nProvider");
  return value;
}
