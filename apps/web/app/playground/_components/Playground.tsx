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
import { useQuery } from "@tanstack/react-query";
import { useCallback, useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { Markdown } from "@/components/Markdown";
import { ErrorNote } from "@/components/ErrorNote";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";
import type { MessageKey } from "@/lib/i18n/messages";
import { readConversation, useConversation } from "./useConversation";
import { useGeneration } from "./useGeneration";
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

  const onFinished = useCallback(
    (text: string, finalStats: GenerationStats | null) => {
      setStats(finalStats);
      if (mode === "chat" && text)
        setMessages([...readConversation(), { role: "assistant", content: text }]);
    },
    // readConversation gives the latest stored conversation, so this callback can stay stable.
    [mode, setMessages],
  );
  const generation = useGeneration(onFinished);
  const loaded = runtime.data?.model;

  const send = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim() || generation.state.running) return;
    let request: GenerationRequest;
    if (mode === "chat") {
      const next: ChatMessage[] = [...messages, { role: "user", content: draft }];
      setMessages(next);
      request = {
        mode: "chat",
        messages: system ? [{ role: "system", content: system }, ...next] : next,
        sampling,
      };
    } else {
      request = { mode: "raw", prompt: draft, sampling };
    }
    setDraft("");
    void generation.start(request);
  };

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
                className={`min-w-0 rounded-lg p-3 text-sm [overflow-wrap:anywhere] ${m.role === "user" ? "bg-sky-50 whitespace-pre-wrap dark:bg-sky-950" : "bg-zinc-100 dark:bg-zinc-800"}`}
              >
                <p className="mb-1 text-xs font-semibold text-zinc-500">
                  {m.role === "user" ? t("playground.you") : t("playground.model")}
                </p>
                {m.role === "user" ? m.content : <Markdown text={m.content} />}
              </li>
            ))}
          {generation.state.running && (
            <li
              data-testid="streaming-answer"
              className="min-w-0 rounded-lg bg-zinc-100 p-3 text-sm [overflow-wrap:anywhere] dark:bg-zinc-800"
            >
              <p className="mb-1 text-xs font-semibold text-zinc-500">{t("playground.model")}</p>
              {mode === "chat" ? (
                <Markdown text={generation.state.text} />
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
                disabled={!loaded || !draft.trim()}
                className="rounded-md bg-sky-600 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50"
              >
                {t("playground.send")}
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
