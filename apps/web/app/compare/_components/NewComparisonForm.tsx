"use client";

import {
  api,
  type CompareTarget,
  GUIDE_SEED,
  type KvCacheType,
  seedPrompts,
} from "@quantdeck/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { control, option, primaryButton, secondaryButton } from "@/components/formStyles";

const CUSTOM = "custom";
interface TargetDraft {
  /** A model to run, or an answer pasted from elsewhere to compare against. */
  kind: "model" | "pasted";
  model: string;
  kv: KvCacheType;
  label: string;
  pasted: string;
}

/** The guide's comparison by default: the same model with the KV cache at q8_0 and at q4_0. */
export function NewComparisonForm() {
  const { t, locale } = useI18n();
  const router = useRouter();
  const models = useQuery(agentQueries.models());
  const sandbox = useQuery(agentQueries.sandbox());
  const [promptId, setPromptId] = useState("heptagon");
  const [language, setLanguage] = useState<"en" | "ja">(locale === "ja" ? "ja" : "en");
  const [custom, setCustom] = useState({ title: "", text: "" });
  const [drafts, setDrafts] = useState<TargetDraft[] | null>(null);
  const [maxTokens, setMaxTokens] = useState(3500);
  const [recordSeconds, setRecordSeconds] = useState(8);
  const [seed, setSeed] = useState<number>(GUIDE_SEED);

  const available = (models.data?.models ?? []).filter((m) => m.complete);
  const firstModel = available[0]?.id ?? "";
  const modelTarget = (kv: KvCacheType): TargetDraft => ({
    kind: "model",
    model: firstModel,
    kv,
    label: "",
    pasted: "",
  });
  // A column added before the model list arrived takes the first model once it does.
  const targets: TargetDraft[] = (drafts ?? [modelTarget("q8_0"), modelTarget("q4_0")]).map(
    (target) =>
      target.kind === "model" && !target.model ? { ...target, model: firstModel } : target,
  );
  const update = (index: number, change: Partial<TargetDraft>) =>
    setDrafts(targets.map((target, i) => (i === index ? { ...target, ...change } : target)));

  const start = useMutation({
    mutationFn: () =>
      agentApi.call(api.startCompare, {
        body: {
          ...(promptId === CUSTOM
            ? { customPrompt: { title: custom.title, text: custom.text, kind: "custom" } }
            : { promptId }),
          language,
          targets: targets.map((target): CompareTarget =>
            target.kind === "pasted"
              ? {
                  pastedAnswer: target.pasted,
                  label: target.label.trim() || t("compare.pastedLabel"),
                  options: {},
                }
              : {
                  model: target.model,
                  ...(target.label.trim() && { label: target.label.trim() }),
                  // MLA models need equal K and V types; a quantized V cache needs flash attention.
                  options: {
                    kvCacheKeyType: target.kv,
                    kvCacheValueType: target.kv,
                    ...(target.kv !== "f16" && { flashAttention: true }),
                  },
                },
          ),
          sampling: { maxTokens, seed },
          recordSeconds,
        },
      }),
    onSuccess: (run) => router.push(`/compare/${run.id}`),
  });

  const ready =
    targets.length > 0 &&
    targets.every((target) => (target.kind === "pasted" ? target.pasted.trim() : target.model)) &&
    (promptId !== CUSTOM || (custom.title.trim() && custom.text.trim()));

  return (
    <Card title={t("compare.title")} testId="new-comparison">
      <form
        className="grid gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) start.mutate();
        }}
      >
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{t("compare.explain")}</p>
        <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
          <label className="grid gap-1 text-sm">
            <span className="font-medium">{t("compare.prompt")}</span>
            <select
              className={control}
              value={promptId}
              onChange={(e) => setPromptId(e.target.value)}
              data-testid="compare-prompt"
            >
              {seedPrompts.prompts.map((prompt) => (
                <option key={prompt.id} value={prompt.id} className={option}>
                  {prompt.title}
                </option>
              ))}
              <option value={CUSTOM} className={option}>
                {t("compare.customPrompt")}
              </option>
            </select>
          </label>
          <label className="grid gap-1 text-sm">
            <span className="font-medium">{t("compare.language")}</span>
            <select
              className={control}
              value={language}
              onChange={(e) => setLanguage(e.target.value === "ja" ? "ja" : "en")}
            >
              <option value="en" className={option}>
                English
              </option>
              <option value="ja" className={option}>
                日本語
              </option>
            </select>
          </label>
        </div>
        {promptId === CUSTOM ? (
          <div className="grid gap-2">
            <input
              className={control}
              placeholder={t("compare.customTitle")}
              aria-label={t("compare.customTitle")}
              value={custom.title}
              onChange={(e) => setCustom({ ...custom, title: e.target.value })}
            />
            <textarea
              className={`${control} min-h-32 font-mono`}
              placeholder={t("compare.customText")}
              aria-label={t("compare.customText")}
              value={custom.text}
              onChange={(e) => setCustom({ ...custom, text: e.target.value })}
            />
          </div>
        ) : (
          <details className="text-sm">
            <summary className="cursor-pointer text-zinc-500">{t("compare.showPrompt")}</summary>
            <pre className="mt-2 max-h-60 overflow-auto rounded-md bg-zinc-100 p-3 text-xs whitespace-pre-wrap dark:bg-zinc-950">
              {seedPrompts.prompts.find((p) => p.id === promptId)?.text[language]}
            </pre>
          </details>
        )}

        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">{t("compare.targets")}</legend>
          {available.length === 0 && (
            <p className="text-sm text-zinc-500">{t("compare.noModels")}</p>
          )}
          {targets.map((target, index) => (
            <div
              key={index}
              data-testid="compare-target"
              className="grid gap-2 rounded-md border border-zinc-200 p-2 sm:grid-cols-[2fr_1fr_1.5fr_auto] dark:border-zinc-800"
            >
              {target.kind === "pasted" ? (
                <textarea
                  className={`${control} min-h-20 font-mono text-xs sm:col-span-2`}
                  placeholder={t("compare.pastedPlaceholder")}
                  aria-label={t("compare.pastedAnswer")}
                  data-testid="compare-pasted"
                  value={target.pasted}
                  onChange={(e) => update(index, { pasted: e.target.value })}
                />
              ) : (
                <>
                  <select
                    className={control}
                    aria-label={t("compare.target.model")}
                    value={target.model}
                    onChange={(e) => update(index, { model: e.target.value })}
                  >
                    {available.map((model) => (
                      <option key={model.id} value={model.id} className={option}>
                        {model.name}
                      </option>
                    ))}
                  </select>
                  <select
                    className={control}
                    aria-label={t("compare.target.kv")}
                    value={target.kv}
                    onChange={(e) => update(index, { kv: e.target.value as KvCacheType })}
                  >
                    {(["f16", "q8_0", "q4_0"] as const).map((kv) => (
                      <option key={kv} value={kv} className={option}>
                        KV {kv}
                      </option>
                    ))}
                  </select>
                </>
              )}
              <input
                className={control}
                placeholder={t("compare.target.label")}
                aria-label={t("compare.target.label")}
                value={target.label}
                onChange={(e) => update(index, { label: e.target.value })}
              />
              <button
                type="button"
                className={secondaryButton}
                disabled={targets.length === 1}
                data-testid="compare-remove-target"
                onClick={() => setDrafts(targets.filter((_, i) => i !== index))}
              >
                {t("compare.removeTarget")}
              </button>
            </div>
          ))}
          {targets.length < 8 && (
            <div className="flex flex-wrap gap-2">
              <button
                type="button"
                className={secondaryButton}
                onClick={() => setDrafts([...targets, modelTarget("q8_0")])}
              >
                {t("compare.addTarget")}
              </button>
              <button
                type="button"
                className={secondaryButton}
                data-testid="compare-add-pasted"
                onClick={() => setDrafts([...targets, { ...modelTarget("q8_0"), kind: "pasted" }])}
              >
                {t("compare.addPasted")}
              </button>
            </div>
          )}
        </fieldset>

        <div className="grid gap-3 sm:grid-cols-3">
          <NumberField
            label={t("compare.maxTokens")}
            value={maxTokens}
            min={16}
            max={131072}
            onChange={setMaxTokens}
            testId="compare-max-tokens"
          />
          <NumberField
            label={t("compare.recordSeconds")}
            value={recordSeconds}
            min={2}
            max={60}
            onChange={setRecordSeconds}
            testId="compare-record-seconds"
          />
          <NumberField
            label={t("compare.seed")}
            value={seed}
            min={0}
            max={4294967295}
            onChange={setSeed}
          />
        </div>

        {sandbox.data &&
          (sandbox.data.available ? (
            <p className="text-xs text-zinc-500">{t("compare.sandboxReady")}</p>
          ) : (
            <ErrorNote
              tone="warning"
              error={{ title: t("compare.sandboxMissing", { hint: sandbox.data.hint ?? "" }) }}
            />
          ))}
        {start.error && <ErrorNote error={start.error} />}
        <button
          type="submit"
          className={`${primaryButton} justify-self-start`}
          disabled={!ready || start.isPending}
          data-testid="compare-start"
        >
          {t("compare.start")}
        </button>
      </form>
    </Card>
  );
}

function NumberField({
  label,
  value,
  min,
  max,
  onChange,
  testId,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  onChange: (value: number) => void;
  testId?: string;
}) {
  return (
    <label className="grid gap-1 text-sm">
      <span className="font-medium">{label}</span>
      <input
        type="number"
        className={control}
        value={value}
        min={min}
        max={max}
        data-testid={testId}
        onChange={(e) => onChange(Math.min(max, Math.max(min, Number(e.target.value) || min)))}
      />
    </label>
  );
}
