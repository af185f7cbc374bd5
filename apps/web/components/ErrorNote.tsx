"use client";

import { apiErrorSchema, errorTitle, type ApiError } from "@quantdeck/shared";
import { AgentError } from "@/lib/agent/AgentHttpError";
import { useI18n } from "@/lib/i18n/I18nProvider";

interface Shown {
  title: string;
  hint?: string | undefined;
  /** The agent's own words, shown beneath a translated title. */
  detail?: string | undefined;
}

/**
 * The agent writes its titles and hints in English, naming the exact case. In another
 * language the title is the error code's, with the error's values, and the agent's words
 * stay beneath it.
 */
function toShown(error: unknown, locale: "en" | "ja"): Shown {
  const apiError: ApiError | undefined =
    error instanceof AgentError ? error.apiError : apiErrorSchema.safeParse(error).data;
  if (apiError) {
    const { code, title, hint, values } = apiError;
    if (locale === "en") return { title, hint };
    return {
      title: errorTitle(code, locale, values),
      detail: [title, hint].filter(Boolean).join(" "),
    };
  }
  if (typeof error === "object" && error !== null && "title" in error) return error as Shown;
  return { title: error instanceof Error ? error.message : String(error) };
}

/** An agent error as a person should see it: the title, and what to do. Never a stack trace. */
export function ErrorNote({
  error,
  tone = "error",
}: {
  error: unknown;
  tone?: "error" | "warning";
}) {
  const { locale } = useI18n();
  const { title, hint, detail } = toShown(error, locale);
  const colors =
    tone === "error"
      ? "bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200"
      : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-200";
  return (
    <div role={tone === "error" ? "alert" : "note"} className={`rounded-md p-3 text-sm ${colors}`}>
      <p className="font-medium">{title}</p>
      {hint && <p className="mt-1 opacity-80">{hint}</p>}
      {detail && (
        <p lang="en" className="mt-1 text-xs opacity-70">
          {detail}
        </p>
      )}
    </div>
  );
}
