"use client";

import {
  deepseekSystemPrompt,
  samplingPresets,
  seedPrompts,
  type ChatMessage,
  type GenerationRequest,
  type GenerationStats,
  type Sampling,
} from "@quantdeck/shared";
import { secondaryButton } from "@/components/formStyles";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { Markdown } from "@/components/Markdown";
import { ErrorNote } from "@/components/ErrorNote";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";
import { readConversation, useConversation } from "./useConversation";
import { ToolCallCard } from "./ToolCallCard";
import { ToolsPanel } from "./ToolsPanel";
import { parseOutputFormat, parseTools, toolChoiceOf, type OutputMode } from "./toolSettings";
import { useGeneration, type FinishedGeneration } from "./useGeneration";
import { HiddenLabel } from "@/components/HiddenLabel";

const input =
  "rounded-md border border-zinc-300 bg-transparent px-2 py-1.5 text-sm dark:border-zinc-700";
const TEST_PROMPTS = ["heptagon", "flappy-bird"] as const;

export function Playground() {
  const { t, locale } = useI18n();
  const runtime = useQuery(agentQueries.runtime());
  const monitor = useQuery(agentQueries.monitor());
  const [messages, setMessages] = useConversation();
  const [mode, setMode] = useState<"chat" | "raw">("chat");
  const [system, setSystem] = useState("");
  const [presetId, setPresetId] = useState("deepseek-v3");
  const [sampling, setSampling] = useState<Sampling>({
    ...samplingPresets[0]?.sampling,
    maxTokens: 1024,
  });
  const [draft, setDraft] = useState("");
  const [stats, setStats] = useState<GenerationStats | null>(null);
  const [toolsText, setToolsText] = useState("");
  const [choice, setChoice] = useState("auto");
  const [outputMode, setOutputMode] = useState<OutputMode>("text");
  const [schemaText, setSchemaText] = useState('{\n  "type": "object",\n  "properties": {}\n}');
  const tools = parseTools(toolsText);
  const format = parseOutputFormat(outputMode, schemaText);

  const onFinished = useCallback(
    ({ text, toolCalls, stats: finalStats }: FinishedGeneration) => {
      setStats(finalStats);
      if (mode === "chat" && (text || toolCalls.length > 0))
        setMessages([
          ...readConversation(),
          { role: "assistant", content: text, ...(toolCalls.length > 0 && { toolCalls }) },
        ]);
    },
    // readConversation gives the latest stored conversation, so this callback can stay stable.
    [mode, setMessages],
  );
  const generation = useGeneration(onFinished);
  const loaded = runtime.data?.model;
  const settingsValid = mode === "raw" || (tools.ok && format.ok);

  /** The conversation so far as a request, with the tools and output form chosen. */
  const chatRequest = (conversation: ChatMessage[]): GenerationRequest => {
    const offered = tools.ok ? tools.value : [];
    const output = format.ok ? format.value : undefined;
    return {
      mode: "chat",
      messages: system ? [{ role: "system", content: system }, ...conversation] : conversation,
      sampling: output ? { ...sampling, format: output } : sampling,
      ...(offered.length > 0 && { tools: offered, toolChoice: toolChoiceOf(choice) }),
    };
  };

  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim() || generation.state.running || !settingsValid) return;
    let request: GenerationRequest;
    if (mode === "chat") {
      const next: ChatMessage[] = [...messages, { role: "user", content: draft }];
      setMessages(next);
      request = chatRequest(next);
    } else {
      request = { mode: "raw", prompt: draft, sampling };
    }
    setDraft("");
    void generation.start(request);
  };

  /** The calls of the last answer that no tool message answers yet. */
  const lastAnswer = messages.findLastIndex((m) => m.role === "assistant");
  const answered = new Set(messages.map((m) => m.toolCallId).filter(Boolean));
  const unanswered = (messages[lastAnswer]?.toolCalls ?? []).filter((c) => !answered.has(c.id));
  const canContinue =
    mode === "chat" &&
    lastAnswer >= 0 &&
    messages.at(-1)?.role === "tool" &&
    unanswered.length === 0 &&
    !generation.state.running;
  const answerCall = (toolCallId: string, content: string) =>
    setMessages([...readConversation(), { role: "tool", content, toolCallId }]);
  const callName = (toolCallId: string | undefined) =>
    messages.flatMap((m) => m.toolCalls ?? []).find((c) => c.id === toolCallId)?.name ?? "";

  const choosePreset = (id: string) => {
    setPresetId(id);
    const preset = samplingPresets.find((p) => p.id === id);
    if (preset) setSampling({ ...preset.sampling, maxTokens: sampling.maxTokens });
  };

  const numberField = (
    key: "temperature" | "minP" | "seed" | "maxTokens",
    label: MessageKey,
    step: number,
  ) => (
    <label className="grid gap-1 text-xs text-zinc-500">
      {t(label)}
      <input
        type="number"
        step={step}
        className={input}
        value={sampling[key] ?? ""}
        onChange={(e) =>
          setSampling({
            ...sampling,
            [key]: e.target.value === "" ? undefined : Number(e.target.value),
          })
        }
      />
    </label>
  );

  return (
    <Card title={t("nav.playground")} testId="playground">
      <div className="grid gap-4">
        <div className="flex flex-wrap items-end gap-3">
          <fieldset className="flex gap-1 rounded-md border border-zinc-300 p-1 dark:border-zinc-700">
            <legend className="sr-only">{t("playground.mode")}</legend>
            {(["chat", "raw"] as const).map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={mode === m}
                onClick={() => setMode(m)}
                className={`rounded px-3 py-1 text-sm ${mode === m ? "bg-sky-600 text-white" : ""}`}
              >
                {t(m === "chat" ? "playground.chat" : "playground.raw")}
              </button>
            ))}
          </fieldset>
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("playground.preset")}
            <select
              className={input}
              value={presetId}
              onChange={(e) => choosePreset(e.target.value)}
            >
              {samplingPresets.map((p) => (
                <option
                  key={p.id}
                  value={p.id}
                  className="bg-white text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100"
                >
                  {t(`playground.preset.${p.id}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          {numberField("temperature", "playground.temperature", 0.05)}
          {numberField("minP", "playground.minP", 0.01)}
          {numberField("seed", "playground.seed", 1)}
          {numberField("maxTokens", "playground.maxTokens", 64)}
        </div>

        {mode === "chat" && (
          <ToolsPanel
            toolsText={toolsText}
            onToolsText={setToolsText}
            tools={tools}
            choice={choice}
            onChoice={setChoice}
            outputMode={outputMode}
            onOutputMode={setOutputMode}
            schemaText={schemaText}
            onSchemaText={setSchemaText}
            schemaProblem={format.ok ? null : format.problem}
          />
        )}

        {mode === "chat" && (
          <div className="grid gap-1">
            <div className="flex items-center justify-between">
              <label htmlFor="system" className="text-xs text-zinc-500">
                {t("playground.system")}
              </label>
              <button
                type="button"
                className="text-xs text-sky-600 hover:underline"
                onClick={() => setSystem(deepseekSystemPrompt(new Date()))}
              >
                {t("playground.systemDefault")}
              </button>
            </div>
            <textarea
              id="system"
              rows={2}
              className={input}
              value={system}
              onChange={(e) => setSystem(e.target.value)}
            />
          </div>
        )}

        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-xs text-zinc-500">{t("playground.testPrompts")}</span>
          {TEST_PROMPTS.map((id) => {
            const prompt = seedPrompts.prompts.find((p) => p.id === id);
            return (
              prompt && (
                <button
                  key={id}
                  type="button"
                  data-testid={`test-prompt-${id}`}
                  className="rounded-full border border-zinc-300 px-3 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
                  onClick={() => setDraft(prompt.text[locale])}
                >
                  {prompt.title}
                </button>
              )
            );
          })}
        </div>

        <ol data-testid="conversation" className="grid min-w-0 gap-3">
          {mode === "chat" &&
            messages.map((m, i) => (
              <li
                key={i}
                data-role={m.role}
                className={`min-w-0 rounded-lg p-3 text-sm [overflow-wrap:anywhere] ${m.role === "assistant" ? "bg-zinc-100 dark:bg-zinc-800" : "bg-sky-50 whitespace-pre-wrap dark:bg-sky-950"}`}
              >
                <p className="mb-1 text-xs font-semibold text-zinc-500">
                  {m.role === "user"
                    ? t("playground.you")
                    : m.role === "tool"
                      ? t("playground.toolResult", { name: callName(m.toolCallId) })
                      : t("playground.model")}
                </p>
                {m.role === "assistant" ? (
                  <>
                    {m.content && <Markdown text={m.content} />}
                    {m.toolCalls?.map((call) => (
                      <ToolCallCard
                        key={call.id}
                        call={call}
                        {...(i === lastAnswer &&
                          !answered.has(call.id) && {
                            onAnswer: (content: string) => answerCall(call.id, content),
                          })}
                      />
                    ))}
                  </>
                ) : m.role === "tool" ? (
                  <span className="font-mono text-xs">{m.content}</span>
                ) : (
                  m.content
                )}
              </li>
            ))}
          {generation.state.running && (
            <li
              data-testid="streaming-answer"
              className="min-w-0 rounded-lg bg-zinc-100 p-3 text-sm [overflow-wrap:anywhere] dark:bg-zinc-800"
            >
              <p className="mb-1 text-xs font-semibold text-zinc-500">{t("playground.model")}</p>
              {mode === "chat" ? (
                <>
                  <Markdown text={generation.state.text} />
                  {generation.state.toolCalls.map((call) => (
                    <ToolCallCard key={call.id} call={call} />
                  ))}
                </>
              ) : (
                <span className="font-mono whitespace-pre-wrap">{generation.state.text}</span>
              )}
              <span
                aria-hidden
                className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-sky-500 align-middle"
              />
            </li>
          )}
          {mode === "raw" && !generation.state.running && generation.state.text && (
            <li
              data-testid="raw-answer"
              className="min-w-0 rounded-lg bg-zinc-100 p-3 font-mono text-sm whitespace-pre-wrap [overflow-wrap:anywhere] dark:bg-zinc-800"
            >
              {generation.state.text}
            </li>
          )}
        </ol>

        <p data-testid="generation-stats" className="min-h-5 text-xs text-zinc-500 tabular-nums">
          {generation.state.running
            ? t("playground.live", {
                tps: (monitor.data?.samples.at(-1)?.generation.tokensPerSecond ?? 0).toFixed(1),
              })
            : stats &&
              t("playground.stats", {
                tokens: stats.generatedTokens,
                tps: stats.generationTokensPerSecond.toFixed(1),
                ttft: Math.round(stats.timeToFirstTokenMs),
                reason: t(`stop.${stats.stopReason}`),
              })}
        </p>
        {generation.state.error && <ErrorNote error={generation.state.error} />}
        {!loaded && <p className="text-sm text-zinc-500">{t("playground.loadFirst")}</p>}

        <form onSubmit={send} className="grid gap-2">
          <HiddenLabel htmlFor="prompt">{t("playground.prompt")}</HiddenLabel>
          <textarea
            id="prompt"
            data-testid="prompt-input"
            rows={4}
            className={input}
            placeholder={t("playground.placeholder")}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) send(e);
            }}
          />
          <div className="flex gap-2">
            {generation.state.running ? (
              <button
                type="button"
                data-testid="stop"
                onClick={generation.stop}
                className="rounded-md bg-red-600 px-4 py-2 text-sm font-semibold text-white hover:bg-red-500"
              >
                {t("playground.stop")}
              </button>
            ) : (
              <button
                type="submit"
                data-testid="send"
                disabled={!loaded || !draft.trim() || !settingsValid}
                className="rounded-md bg-sky-600 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50"
              >
                {t("playground.send")}
              </button>
            )}
            {canContinue && (
              <button
                type="button"
                data-testid="continue"
                disabled={!loaded || !settingsValid}
                className={secondaryButton}
                onClick={() => void generation.start(chatRequest(messages))}
              >
                {t("playground.continue")}
              </button>
            )}
            <button
              type="button"
              className="rounded-md border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-700"
              onClick={() => setMessages([])}
            >
              {t("playground.clear")}
            </button>
          </div>
        </form>
      </div>
    </Card>
  );
}
