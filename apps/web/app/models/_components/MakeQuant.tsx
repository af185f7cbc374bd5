"use client";

import {
  api,
  quantFileTypes,
  tensorTypes,
  type QuantFileType,
  type TensorRule,
  type TensorType,
} from "@quantdeck/shared";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { control, field, option, primaryButton, secondaryButton } from "@/components/formStyles";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

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
  const [rulesText, setRulesText] = useState("");
  const [name, setName] = useState("");
  const rules = parseRules(rulesText);
  const chosen = source || models.data?.models.find((m) => m.complete)?.id || "";
  const start = useMutation({
    mutationFn: () =>
      agentApi.call(api.quantize, {
        body: {
          source: chosen,
          type,
          rules: rules.ok ? rules.rules : [],
          ...(dynamic && { preset: "dynamic" as const }),
          ...(name.trim() && { name: name.trim() }),
        },
      }),
  });
  const cancel = useMutation({
    mutationFn: (id: string) => agentApi.call(api.cancelQuantize, { params: { id } }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (rules.ok && chosen) start.mutate();
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
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            data-testid="quant-dynamic"
            checked={dynamic}
            onChange={(e) => setDynamic(e.target.checked)}
          />
          {t("quant.preset")}
        </label>
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
        {start.error && <ErrorNote error={start.error} />}
        <button
          type="submit"
          data-testid="quant-start"
          disabled={!rules.ok || !chosen || start.isPending}
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
                    {t(`quant.state.${job.state}`, {
                      percent: Math.round(job.progress * 100),
                    })}{" "}
                    · {t("quant.estimate", { size: formatBytes(job.estimatedBytes) })}
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
