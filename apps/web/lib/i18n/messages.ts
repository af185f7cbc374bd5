/**
 * Every user-facing string of the dashboard, in English (en/) and Japanese (ja/), one file per part of the dashboard in each.
 * Japanese must have every key English has (the type enforces it).
 */
import { fillTemplate } from "@quantdeck/shared";
import { en } from "./en";
import { ja } from "./ja";

export type MessageKey = keyof typeof en;

export const messages = { en, ja } as const;
export type Locale = keyof typeof messages;
export const locales = Object.keys(messages) as Locale[];
export const localeNames: Record<Locale, string> = { en: "English", ja: "日本語" };

/** Fills `{name}` placeholders. */
export function translate(
  locale: Locale,
  key: MessageKey,
  vars: Record<string, string | number> = {},
): string {
  return fillTemplate(messages[locale][key], (name) => vars[name]);
}
