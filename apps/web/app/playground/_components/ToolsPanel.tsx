"use client";

import type { ToolDefinition } from "@quantdeck/shared";
import { control, field, option } from "@/components/formStyles";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { EXAMPLE_TOOLS, type OutputMode, type Parsed } from "./toolSettings";

export interface ToolsPanelProps {
  toolsText: string;
  onToolsText: (text: string) => void;
  tools: Parsed<ToolDefinition[]>;
  choice: string;
  onChoice: (choice: string) => void;
  outputMode: OutputMode;
  onOutputMode: (mode: OutputMode) => void;
  schemaText: string;
  onSchemaText: (text: string) => void;
  schemaProblem: string | null;
}

/** The chat's functions (JSON schema), whether the model must call one, and the output's form. */
export function ToolsPanel(props: ToolsPanelProps) {
  const { t } = useI18n();
  const names = props.tools.ok ? props.tools.value.map((tool) => tool.name) : [];
  return (
    <details className="rounded-md border border-zinc-300 p-3 dark:border-zinc-700">
      <summary className="cursor-pointer text-sm font-semibold">
        {t("playground.tools")} · {t("playground.output")}
      </summary>
      <div className="mt-3 grid gap-3">
        <div className="grid gap-1">
          <div className="flex items-center justify-between">
            <label htmlFor="tools" className="text-xs text-zinc-500">
              {t("playground.tools")}
            </label>
            <button
              type="button"
              className="text-xs text-sky-600 hover:underline"
              onClick={() => props.onToolsText(EXAMPLE_TOOLS)}
            >
              {t("playground.tools.example")}
            </button>
          </div>
          <p className="text-xs text-zinc-500">{t("playground.tools.help")}</p>
          <textarea
            id="tools"
            data-testid="tools-input"
            rows={6}
            spellCheck={false}
            className={`${control} font-mono text-xs`}
            value={props.toolsText}
            onChange={(e) => props.onToolsText(e.target.value)}
          />
          {!props.tools.ok && (
            <p role="alert" data-testid="tools-problem" className="text-xs text-red-600">
              {t("playground.tools.invalid", { problem: props.tools.problem })}
            </p>
          )}
        </div>
        <div className="flex flex-wrap gap-3">
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("playground.tools.choice")}
            <select
              data-testid="tool-choice"
              className={field}
              value={props.choice}
              onChange={(e) => props.onChoice(e.target.value)}
            >
              {(["auto", "none", "required"] as const).map((c) => (
                <option key={c} value={c} className={option}>
                  {t(`playground.tools.choice.${c}`)}
                </option>
              ))}
              {names.map((name) => (
                <option key={name} value={`name:${name}`} className={option}>
                  {t("playground.tools.choice.named", { name })}
                </option>
              ))}
            </select>
          </label>
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("playground.output")}
            <select
              data-testid="output-mode"
              className={field}
              value={props.outputMode}
              onChange={(e) => props.onOutputMode(e.target.value as OutputMode)}
            >
              {(["text", "json", "jsonSchema"] as const).map((mode) => (
                <option key={mode} value={mode} className={option}>
                  {t(`playground.output.${mode}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {props.outputMode === "jsonSchema" && (
          <div className="grid gap-1">
            <label htmlFor="schema" className="text-xs text-zinc-500">
              {t("playground.output.schema")}
            </label>
            <textarea
              id="schema"
              data-testid="schema-input"
              rows={5}
              spellCheck={false}
              className={`${control} font-mono text-xs`}
              value={props.schemaText}
              onChange={(e) => props.onSchemaText(e.target.value)}
            />
            {props.schemaProblem !== null && (
              <p role="alert" className="text-xs text-red-600">
                {t("playground.output.invalid", { problem: props.schemaProblem })}
              </p>
            )}
          </div>
        )}
      </div>
    </details>
  );
}
