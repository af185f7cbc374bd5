"use client";

import { api, type CreatedKey, type KeyScope } from "@quantdeck/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { control, option, secondaryButton as button } from "@/components/formStyles";
import { HiddenLabel } from "@/components/HiddenLabel";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";

const SCOPES: KeyScope[] = ["inference", "read", "admin"];

/**
 * Named API keys for other programs (editors, chat front ends, monitoring): each with a
 * scope, its use counted, revocable at once. A new key is shown here once, to copy.
 */
export function ApiKeysCard() {
  const { t, locale } = useI18n();
  const formatNumber = (value: number) => value.toLocaleString(locale);
  const queryClient = useQueryClient();
  const keys = useQuery(agentQueries.keys());
  const [name, setName] = useState("");
  const [scope, setScope] = useState<KeyScope>("inference");
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: agentQueries.keys().queryKey });
  const create = useMutation({
    mutationFn: () => agentApi.call(api.createKey, { body: { name: name.trim(), scope } }),
    onSuccess: async (key) => {
      setCreated(key);
      setName("");
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => agentApi.call(api.revokeKey, { params: { id } }),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim()) create.mutate();
  };

  return (
    <Card title={t("keys.title")} testId="settings-keys">
      <p className="text-sm text-zinc-500">{t("keys.explain")}</p>
      {created && (
        <div
          className="mt-3 rounded-md border border-amber-400 bg-amber-50 p-3 text-sm dark:bg-amber-950"
          data-testid="keys-created"
        >
          <p>{t("keys.shownOnce", { name: created.name })}</p>
          <code
            className="mt-1 block font-mono break-all select-all"
            data-testid="keys-created-key"
          >
            {created.key}
          </code>
          <button
            type="button"
            className={`${button} mt-2`}
            onClick={() => void navigator.clipboard?.writeText(created.key)}
          >
            {t("keys.copy")}
          </button>
          <button type="button" className={`${button} mt-2 ml-2`} onClick={() => setCreated(null)}>
            {t("keys.done")}
          </button>
        </div>
      )}
      <form className="mt-3 flex flex-wrap gap-2" onSubmit={submit}>
        <HiddenLabel htmlFor="keys-name">{t("keys.name")}</HiddenLabel>
        <input
          id="keys-name"
          className={`${control} max-w-48`}
          placeholder={t("keys.name")}
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
          data-testid="keys-name"
        />
        <HiddenLabel htmlFor="keys-scope">{t("keys.scope")}</HiddenLabel>
        <select
          id="keys-scope"
          className={`${control} max-w-40`}
          value={scope}
          onChange={(e) => setScope(e.target.value as KeyScope)}
          data-testid="keys-scope"
        >
          {SCOPES.map((s) => (
            <option key={s} value={s} className={option}>
              {t(`keys.scope.${s}`)}
            </option>
          ))}
        </select>
        <button type="submit" className={button} disabled={!name.trim()} data-testid="keys-add">
          {t("keys.add")}
        </button>
      </form>
      {create.error && <ErrorNote error={create.error} />}
      {revoke.error && <ErrorNote error={revoke.error} />}
      <table className="mt-3 w-full text-left text-sm">
        <thead className="text-xs text-zinc-500">
          <tr>
            <th className="font-normal">{t("keys.name")}</th>
            <th className="font-normal">{t("keys.scope")}</th>
            <th className="font-normal">{t("keys.key")}</th>
            <th className="text-right font-normal">{t("keys.requests")}</th>
            <th className="text-right font-normal">{t("keys.tokens")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.data?.keys.map((key) => (
            <tr key={key.id} data-testid="keys-row">
              <td className="py-1">{key.name}</td>
              <td>{t(`keys.scope.${key.scope}`)}</td>
              <td className="font-mono text-xs">{key.prefix}…</td>
              <td className="text-right tabular-nums">{formatNumber(key.requests)}</td>
              <td className="text-right tabular-nums">{formatNumber(key.tokens)}</td>
              <td className="text-right">
                <button
                  type="button"
                  className="text-red-600 hover:underline"
                  onClick={() => revoke.mutate(key.id)}
                  data-testid="keys-revoke"
                >
                  {t("keys.revoke")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.data?.keys.length === 0 && (
        <p className="mt-2 text-sm text-zinc-500">{t("keys.none")}</p>
      )}
    </Card>
  );
}
