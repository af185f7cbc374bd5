"use client";

import type { ToolCall } from "@quantdeck/shared";
import { useState, type FormEvent } from "react";
import { control, secondaryButton } from "@/components/formStyles";
import { useI18n } from "@/lib/i18n/I18nProvider";

/** Arguments as the model wrote them, indented when they are JSON. */
function pretty(args: string): string {
  try {
    return JSON.stringify(JSON.parse(args), null, 2);
  } catch {
    return args;
  }
}

/** One call the model made; while unanswered, a form to answer it by hand. */
export function ToolCallCard({
  call,
  onAnswer,
}: {
  call: ToolCall;
  /** Absent once answered, or while the call is still streaming. */
  onAnswer?: (content: string) => void;
}) {
  const { t } = useI18n();
  const [answer, setAnswer] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (answer.trim()) onAnswer?.(answer);
  };
  return (
    <div
      data-testid="tool-call"
      className="mt-2 grid gap-2 rounded-md border border-amber-300 bg-amber-50 p-2 dark:border-amber-800 dark:bg-amber-950"
    >
      <p className="text-xs font-semibold">{t("playground.call", { name: call.name })}</p>
      <pre data-testid="tool-call-arguments" className="overflow-x-auto font-mono text-xs">
        {pretty(call.arguments)}
      </pre>
      {onAnswer && (
        <form onSubmit={submit} className="grid gap-1">
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("playground.callAnswer", { name: call.name })}
            <textarea
              data-testid="tool-answer-input"
              rows={2}
              className={`${control} font-mono text-xs`}
              value={answer}
              onChange={(e) => setAnswer(e.target.value)}
            />
          </label>
          <button
            type="submit"
            data-testid="tool-answer-send"
            disabled={!answer.trim()}
            className={`${secondaryButton} justify-self-start`}
          >
            {t("playground.callSend")}
          </button>
        </form>
      )}
    </div>
  );
}
