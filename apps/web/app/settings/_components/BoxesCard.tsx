"use client";

import { api, type Box } from "@quantdeck/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { control, secondaryButton as button } from "@/components/formStyles";
import { HiddenLabel } from "@/components/HiddenLabel";
import { switchToBox } from "@/lib/agent/boxTarget";
import { localAgentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { boxState } from "@/lib/boxes/describeBox";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";

/**
 * The other agents this one manages: added with their URL and token (kept by the agent,
 * never shown again), tested, renamed, removed, and viewed (every page switches to it).
 */
export function BoxesCard() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const boxes = useQuery(agentQueries.boxes());
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["local", "boxes"] });
  const add = useMutation({
    mutationFn: () =>
      localAgentApi.call(api.addBox, {
        body: { name: name.trim(), url: url.trim(), ...(token && { token }) },
      }),
    onSuccess: async () => {
      setName("");
      setUrl("");
      setToken("");
      await refresh();
    },
  });
  const test = useMutation({
    mutationFn: (box: string) => localAgentApi.call(api.testBox, { params: { name: box } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (box: string) => localAgentApi.call(api.deleteBox, { params: { name: box } }),
    onSuccess: refresh,
  });
  const rename = useMutation({
    mutationFn: ({ from, to }: { from: string; to: string }) =>
      localAgentApi.call(api.updateBox, { params: { name: from }, body: { name: to } }),
    onSuccess: refresh,
  });
  const retoken = useMutation({
    mutationFn: ({ box, token }: { box: string; token: string | null }) =>
      localAgentApi.call(api.updateBox, { params: { name: box }, body: { token } }),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() && url.trim()) add.mutate();
  };
  const error = add.error ?? test.error ?? remove.error ?? rename.error ?? retoken.error;

  return (
    <Card title={t("boxes.title")} testId="settings-boxes">
      <p className="text-sm text-zinc-500">{t("boxes.explain")}</p>
      <ul className="mt-3 grid gap-3">
        {boxes.data?.boxes.map((box) => (
          <BoxRow
            key={box.name}
            box={box}
            onTest={() => test.mutate(box.name)}
            onRemove={() => remove.mutate(box.name)}
            onRename={(to) => rename.mutate({ from: box.name, to })}
            onToken={(token) => retoken.mutate({ box: box.name, token })}
          />
        ))}
      </ul>
      <form className="mt-4 grid gap-2 sm:grid-cols-[1fr_2fr]" onSubmit={submit}>
        <HiddenLabel htmlFor="box-name">{t("boxes.name")}</HiddenLabel>
        <input
          id="box-name"
          data-testid="box-name"
          className={control}
          placeholder={t("boxes.name")}
          value={name}
          maxLength={63}
          onChange={(e) => setName(e.target.value)}
        />
        <HiddenLabel htmlFor="box-url">{t("boxes.url")}</HiddenLabel>
        <input
          id="box-url"
          data-testid="box-url"
          className={`${control} font-mono`}
          placeholder="http://10.0.0.2:7700"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <HiddenLabel htmlFor="box-token">{t("boxes.token")}</HiddenLabel>
        <input
          id="box-token"
          data-testid="box-token"
          type="password"
          autoComplete="off"
          className={`${control} sm:col-span-2`}
          placeholder={t("boxes.token")}
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <button
          type="submit"
          data-testid="box-add"
          className={`${button} justify-self-start`}
          disabled={add.isPending}
        >
          {add.isPending ? t("boxes.testing") : t("boxes.add")}
        </button>
      </form>
      <p className="mt-2 text-xs text-zinc-500">{t("boxes.tokenHelp")}</p>
      {error && <ErrorNote error={error} />}
    </Card>
  );
}

function BoxRow({
  box,
  onTest,
  onRemove,
  onRename,
  onToken,
}: {
  box: Box;
  onTest: () => void;
  onRemove: () => void;
  onRename: (to: string) => void;
  /** A new token (tested at once), or null to remove it. */
  onToken: (token: string | null) => void;
}) {
  const { t } = useI18n();
  // A new token is typed in a password field, never in a prompt that shows it.
  const [newToken, setNewToken] = useState<string | null>(null);
  const state = boxState(box.check);
  const summary = box.check?.summary;
  return (
    <li data-testid="box" data-name={box.name} className="grid gap-1 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span>
          <span className="font-semibold">{box.name}</span>{" "}
          <span className="font-mono text-xs text-zinc-500">{box.url}</span>
        </span>
        <span
          data-testid="box-state"
          data-ok={state.ok}
          className={state.ok ? "text-emerald-600" : "text-red-600"}
        >
          {t(state.key)}
        </span>
      </div>
      {summary && (
        <p className="text-xs text-zinc-500" data-testid="box-summary">
          {summary.cpu} · {formatBytes(summary.ramBytes)} RAM
          {summary.gpus.map((g) => ` · ${g.name} ${formatBytes(g.vramBytes)}`).join("")}
          {summary.loadedModel && ` · ${summary.loadedModel}`}
        </p>
      )}
      {box.check?.problem && !state.ok && (
        <p className="text-xs text-red-600">{box.check.problem}</p>
      )}
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          data-testid="box-view"
          className={button}
          onClick={() => switchToBox(box.name)}
        >
          {t("boxes.view")}
        </button>
        <button type="button" className={button} onClick={onTest}>
          {t("boxes.test")}
        </button>
        <button
          type="button"
          className={button}
          onClick={() => {
            const to = window.prompt(t("boxes.renamePrompt"), box.name)?.trim();
            if (to && to !== box.name) onRename(to);
          }}
        >
          {t("boxes.rename")}
        </button>
        <button
          type="button"
          data-testid="box-change-token"
          className={button}
          onClick={() => setNewToken(newToken === null ? "" : null)}
        >
          {t("boxes.changeToken")}
        </button>
        <button type="button" className={button} onClick={onRemove}>
          {t("boxes.remove")}
        </button>
      </div>
      {newToken !== null && (
        <form
          className="flex flex-wrap gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            onToken(newToken || null);
            setNewToken(null);
          }}
        >
          <HiddenLabel htmlFor={`box-token-${box.name}`}>{t("boxes.token")}</HiddenLabel>
          <input
            id={`box-token-${box.name}`}
            data-testid="box-new-token"
            type="password"
            autoComplete="off"
            className={`${control} max-w-80`}
            placeholder={t("boxes.newToken")}
            value={newToken}
            onChange={(e) => setNewToken(e.target.value)}
          />
          <button type="submit" data-testid="box-save-token" className={button}>
            {t("boxes.saveToken")}
          </button>
        </form>
      )}
    </li>
  );
}
