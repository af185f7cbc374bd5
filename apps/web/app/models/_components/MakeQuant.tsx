"use client";

import {
  api,
  quantFileTypes,
  tensorTypes,
  typesNeedingImatrix,
  type QuantFileType,
  type QuantizePlan,
  type QuantizeRequest,
  type TensorRule,
  type TensorType,
} from "@quantdeck/shared";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { control, field, option, primaryButton, secondaryButton } from "@/components/formStyles";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { useDebounced } from "@/lib/useDebounced";

type Parsed = { ok: true; rules: TensorRule[] } | { ok: false; line: number; problem: string };

/** The rules text, `regex = type` per line, checked as it is typed. */
export function parseRules(text: string): Parsed {
  const rules: TensorRule[] = [];
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.lastIndexOf("=");
    const pattern = line.slice(0, at).trim();
    const type = line
      .slice(at + 1)
      .trim()
      .toUpperCase();
    if (at < 0 || !pattern) return { ok: false, line: i + 1, problem: "write regex = type" };
    if (!(tensorTypes as readonly string[]).includes(type))
      return { ok: false, line: i + 1, problem: `${type || "?"} is not a tensor type` };
    try {
      new RegExp(pattern);
    } catch (error) {
      return {
        ok: false,
        line: i + 1,
        problem: error instanceof Error ? error.message : "bad regex",
      };
    }
    rules.push({ pattern, type: type as TensorType });
  }
  return { ok: true, rules };
}

/** Make a quant of a model on disk, and follow the jobs. */
export function MakeQuant() {
  const { t } = useI18n();
  const models = useQuery(agentQueries.models());
  const jobs = useQuery(agentQueries.quantizeJobs());
  const [source, setSource] = useState("");
  const [type, setType] = useState<QuantFileType>("Q4_K_M");
  const [dynamic, setDynamic] = useState(false);
  const [imatrix, setImatrix] = useState(false);
  const [outputType, setOutputType] = useState<TensorType | "">("");
  const [embeddingType, setEmbeddingType] = useState<TensorType | "">("");
  const [rulesText, setRulesText] = useState("");
  const [name, setName] = useState("");
  const rules = parseRules(rulesText);
  const chosen = source || models.data?.models.find((m) => m.complete)?.id || "";
  const request: QuantizeRequest | null =
    rules.ok && chosen
      ? {
          source: chosen,
          type,
          rules: rules.rules,
          allowRequantize: false,
          maxShardBytes: 50e9,
          ...(dynamic && { preset: "dynamic" as const }),
          ...(imatrix && { imatrix: { contextSize: 512, chunks: 100 } }),
          ...(outputType && { outputType }),
          ...(embeddingType && { embeddingType }),
          ...(name.trim() && { name: name.trim() }),
        }
      : null;
  // The agent checks every rule against the source's tensors and sizes the result, as the
  // user types (once the typing pauses); the same checks refuse a bad start.
  const settled = useDebounced(request ? JSON.stringify(request) : "", 300);
  const plan = useQuery({
    queryKey: ["agent", "quantize", "plan", settled],
    queryFn: () =>
      agentApi.call(api.planQuantize, { body: JSON.parse(settled) as QuantizeRequest }),
    enabled: settled !== "",
    retry: false,
    placeholderData: keepPreviousData,
  });
  const planFresh = settled === (request ? JSON.stringify(request) : "") && !plan.isFetching;
  const start = useMutation({
    mutationFn: (body: QuantizeRequest) => agentApi.call(api.quantize, { body }),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => agentApi.call(api.cancelQuantize, { params: { id } }),
  });
  const ready = request !== null && planFresh && plan.isSuccess;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready && request) start.mutate(request);
  };

  return (
    <Card title={t("quant.make")} testId="make-quant">
      <form onSubmit={submit} className="grid gap-3">
        <p className="text-xs text-zinc-500">{t("quant.make.help")}</p>
        <div className="flex flex-wrap gap-3">
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("quant.source")}
            <select
              data-testid="quant-source"
              className={field}
              value={chosen}
              onChange={(e) => setSource(e.target.value)}
            >
              {models.data?.models
                .filter((m) => m.complete)
                .map((m) => (
                  <option key={m.id} value={m.id} className={option}>
                    {m.id} {m.quantType ? `(${m.quantType})` : ""}
                  </option>
                ))}
            </select>
          </label>
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("quant.baseType")}
            <select
              data-testid="quant-type"
              className={field}
              value={type}
              onChange={(e) => setType(e.target.value as QuantFileType)}
            >
              {quantFileTypes.map((q) => (
                <option key={q} value={q} className={option}>
                  {q}
                </option>
              ))}
            </select>
          </label>
          <label className="grid gap-1 text-xs text-zinc-500">
            {t("quant.name")}
            <input
              data-testid="quant-name"
              className={`${field} font-mono`}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
        </div>
        <div className="flex flex-wrap gap-3">
          <TypeSelect
            label={t("quant.outputType")}
            testId="quant-output-type"
            value={outputType}
            onChange={setOutputType}
          />
          <TypeSelect
            label={t("quant.embeddingType")}
            testId="quant-embedding-type"
            value={embeddingType}
            onChange={setEmbeddingType}
          />
        </div>
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            data-testid="quant-dynamic"
            checked={dynamic}
            onChange={(e) => setDynamic(e.target.checked)}
          />
          {t("quant.preset")}
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            data-testid="quant-imatrix"
            checked={imatrix}
            onChange={(e) => setImatrix(e.target.checked)}
          />
          {t("quant.imatrix")}
        </label>
        {typesNeedingImatrix.has(type) && !imatrix && (
          <p className="text-xs text-amber-700 dark:text-amber-400">
            {t("quant.imatrix.needed", { type })}
          </p>
        )}
        <label className="grid gap-1 text-xs text-zinc-500">
          {t("quant.rules")}
          <textarea
            data-testid="quant-rules"
            rows={3}
            spellCheck={false}
            placeholder="ffn_down_exps = Q8_0"
            className={`${control} font-mono text-xs`}
            value={rulesText}
            onChange={(e) => setRulesText(e.target.value)}
          />
        </label>
        {!rules.ok && (
          <p role="alert" data-testid="quant-rules-problem" className="text-xs text-red-600">
            {t("quant.rules.invalid", { line: rules.line, problem: rules.problem })}
          </p>
        )}
        {rules.ok && <PlanView plan={plan.data} error={plan.error} checking={!planFresh} />}
        {start.error && <ErrorNote error={start.error} />}
        <button
          type="submit"
          data-testid="quant-start"
          disabled={!ready || start.isPending}
          className={`${primaryButton} justify-self-start`}
        >
          {t("quant.start")}
        </button>
      </form>

      {jobs.data && jobs.data.jobs.length > 0 && (
        <div className="mt-4 grid gap-2">
          <h3 className="text-sm font-semibold">{t("quant.jobs")}</h3>
          <ul className="grid gap-2">
            {jobs.data.jobs.map((job) => (
              <li
                key={job.id}
                data-testid="quant-job"
                data-state={job.state}
                className="grid gap-1 text-sm"
              >
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="font-mono text-xs">
                    {job.source} → {job.target}
                  </span>
                  <span className="text-xs text-zinc-500">
                    {job.state === "running" && `${t(`quant.phase.${job.phase}`)} `}
                    {t(`quant.state.${job.state}`, {
                      percent: Math.round(job.progress * 100),
                    })}{" "}
                    · {t("quant.estimate", { size: formatBytes(job.estimatedBytes) })}
                    {job.files.length > 1 && ` · ${t("quant.files", { count: job.files.length })}`}
                  </span>
                </div>
                {job.state === "running" && (
                  <div className="flex items-center gap-2">
                    <progress className="h-2 flex-1" value={job.progress} max={1} />
                    <button
                      type="button"
                      className={secondaryButton}
                      onClick={() => cancel.mutate(job.id)}
                    >
                      {t("quant.cancel")}
                    </button>
                  </div>
                )}
                {job.error && <ErrorNote error={{ code: "toolFailed", ...job.error }} />}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

function TypeSelect({
  label,
  testId,
  value,
  onChange,
}: {
  label: string;
  testId: string;
  value: TensorType | "";
  onChange: (value: TensorType | "") => void;
}) {
  const { t } = useI18n();
  return (
    <label className="grid gap-1 text-xs text-zinc-500">
      {label}
      <select
        data-testid={testId}
        className={field}
        value={value}
        onChange={(e) => onChange(e.target.value as TensorType | "")}
      >
        <option value="" className={option}>
          {t("quant.typeDefault")}
        </option>
        {tensorTypes.map((type) => (
          <option key={type} value={type} className={option}>
            {type}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The agent's plan: each rule's tensors, the size against the free disk, or what is wrong. */
function PlanView({
  plan,
  error,
  checking,
}: {
  plan: QuantizePlan | undefined;
  error: Error | null;
  checking: boolean;
}) {
  const { t } = useI18n();
  if (checking && !plan && !error)
    return <p className="text-xs text-zinc-500">{t("quant.plan.checking")}</p>;
  if (error && !checking) return <ErrorNote error={error} />;
  if (!plan) return null;
  return (
    <div data-testid="quant-plan" className={`grid gap-1 text-xs ${checking ? "opacity-60" : ""}`}>
      <p>
        {t("quant.plan.summary", {
          target: plan.target,
          size: formatBytes(plan.estimatedBytes),
          free: formatBytes(plan.freeBytes),
        })}
        {plan.shards > 1 && ` · ${t("quant.plan.shards", { count: plan.shards })}`}
      </p>
      {plan.rules.length > 0 && (
        <table className="w-fit text-left tabular-nums">
          <thead className="text-zinc-500">
            <tr>
              <th className="pr-3 font-normal">{t("quant.plan.rule")}</th>
              <th className="pr-3 font-normal">{t("quant.type")}</th>
              <th className="font-normal">{t("quant.plan.matches")}</th>
            </tr>
          </thead>
          <tbody>
            {plan.rules.map((rule, i) => (
              <tr key={i} data-testid="quant-plan-rule" data-matches={rule.matches}>
                <td className="pr-3 font-mono">
                  {rule.pattern}
                  {rule.fromPreset && (
                    <span className="ml-1 text-zinc-500">({t("quant.plan.fromPreset")})</span>
                  )}
                </td>
                <td className="pr-3">{rule.type}</td>
                <td>{rule.matches}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
