"use client";

import { api, type EnginePreference } from "@quantdeck/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Card, Field } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { field, secondaryButton as button } from "@/components/formStyles";
import { UsageBar } from "@/components/UsageBar";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";

/** Which engine serves and why; building llama-server; llama-bench of the loaded model. */
export function EngineCard() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const engine = useQuery(agentQueries.engine());
  const runtime = useQuery(agentQueries.runtime());
  const onStatus = {
    onSuccess: (data: NonNullable<typeof engine.data>) =>
      queryClient.setQueryData(agentQueries.engine().queryKey, data),
  };
  const build = useMutation({ mutationFn: () => agentApi.call(api.buildEngine), ...onStatus });
  const prefer = useMutation({
    mutationFn: (preference: EnginePreference) =>
      agentApi.call(api.setEnginePreference, { body: { preference } }),
    ...onStatus,
  });
  const bench = useMutation({
    mutationFn: () => agentApi.call(api.bench),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: agentQueries.engine().queryKey }),
  });
  const data = engine.data;
  if (!data) return null;
  const state = data.build;
  return (
    <Card title={t("engine.title")} testId="engine-card">
      <dl>
        <Field label={t("engine.current")}>
          <span data-testid="engine-kind">{data.current.kind}</span>
        </Field>
      </dl>
      <p className="mb-3 text-sm text-zinc-500" data-testid="engine-reason">
        {data.current.reason}
      </p>
      <label className="mb-3 flex items-center justify-between gap-3 text-sm">
        <span>{t("engine.preference")}</span>
        <select
          className={field}
          value={data.preference}
          onChange={(e) => prefer.mutate(e.target.value as EnginePreference)}
        >
          <option value="auto">{t("engine.pref.auto")}</option>
          <option value="node-llama-cpp">{t("engine.pref.node")}</option>
          <option value="llama-server">{t("engine.pref.server")}</option>
        </select>
      </label>
      <p className="text-xs text-zinc-500">
        {t("engine.plan")}: {data.plan.reason}
      </p>
      <div className="mt-3 grid gap-2" data-testid="engine-build" data-state={state.state}>
        {state.state === "done" && state.build.supplied && (
          <p className="text-sm" data-testid="engine-supplied">
            {t("engine.supplied", {
              path: state.build.supplied.path,
              version: state.build.supplied.version,
            })}
          </p>
        )}
        {state.state === "done" && !state.build.supplied && (
          <p className="text-sm">
            {t("engine.built", {
              backend: state.build.backend,
              seconds: state.build.seconds,
              commit: state.build.commit.slice(0, 7),
            })}
          </p>
        )}
        {state.state === "building" && (
          <>
            <p className="text-sm">
              {t("engine.building", {
                step: state.step,
                percent: Math.round(state.progress * 100),
              })}
            </p>
            <UsageBar value={state.progress} label={state.step} tone="sky" />
            <pre className="max-h-32 overflow-auto rounded bg-zinc-950 p-2 text-[11px] text-zinc-300">
              {state.logTail.slice(-6).join("\n")}
            </pre>
          </>
        )}
        {state.state === "failed" && (
          <>
            <ErrorNote error={{ title: t("engine.failed"), hint: state.error }} />
            <pre className="max-h-40 overflow-auto rounded bg-zinc-950 p-2 text-[11px] text-zinc-300">
              {state.logTail.join("\n")}
            </pre>
          </>
        )}
        {(state.state === "idle" || state.state === "failed") && (
          <>
            <p className="text-xs text-zinc-500">{t("engine.rebuildNote")}</p>
            <p className="text-xs text-zinc-500">{t("engine.why.build")}</p>
            <button
              type="button"
              className={`${button} justify-self-start`}
              onClick={() => build.mutate()}
              data-testid="engine-build-button"
            >
              {t("engine.build")}
            </button>
          </>
        )}
      </div>
      {state.state === "done" && (
        <div className="mt-4 grid gap-2">
          <button
            type="button"
            className={`${button} justify-self-start`}
            disabled={!runtime.data?.model || bench.isPending}
            onClick={() => bench.mutate()}
          >
            {t("engine.bench")}
          </button>
          {bench.error && <ErrorNote error={bench.error} />}
          {data.benchmarks.length > 0 && (
            <div>
              <h3 className="text-xs font-semibold text-zinc-500 uppercase">
                {t("engine.benchmarks")}
              </h3>
              <ul className="text-sm">
                {data.benchmarks.map((b) => (
                  <li key={b.modelId}>
                    <span className="font-medium">{b.modelId}</span>:{" "}
                    {t("engine.benchRow", {
                      pp: b.promptTokens,
                      ppRate: b.promptTokensPerSecond.toFixed(1),
                      tg: b.generatedTokens,
                      tgRate: b.generationTokensPerSecond.toFixed(1),
                      threads: b.threads,
                    })}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
