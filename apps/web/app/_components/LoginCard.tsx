"use client";

import { api, type LoginRequest } from "@quantdeck/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { useAgentSocket } from "@/lib/agent/AgentProvider";
import { ErrorNote } from "@/components/ErrorNote";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { HiddenLabel } from "@/components/HiddenLabel";

/** Shown when the agent requires a token and this browser has not signed in. */
export function LoginCard() {
  const { t } = useI18n();
  const auth = useQuery(agentQueries.auth());
  const socket = useAgentSocket();
  const queryClient = useQueryClient();
  const [token, setToken] = useState("");
  const login = useMutation({
    mutationFn: (body: LoginRequest) => agentApi.call(api.login, { body }),
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      socket.retryNow();
    },
  });

  if (!auth.data?.required || auth.data.authenticated) return null;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ token });
  };
  return (
    <Card title={t("login.title")} testId="login-card">
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">{t("login.explain")}</p>
      <form onSubmit={onSubmit} className="flex flex-wrap gap-2">
        <HiddenLabel htmlFor="token">{t("login.token")}</HiddenLabel>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder={t("login.token")}
          className="min-w-64 flex-1 rounded-md border border-zinc-300 bg-transparent px-3 py-2 text-sm dark:border-zinc-700"
        />
        <button
          type="submit"
          className="rounded-md bg-sky-600 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-500"
        >
          {t("login.submit")}
        </button>
      </form>
      {login.error && (
        <div className="mt-3">
          <ErrorNote error={login.error} />
        </div>
      )}
    </Card>
  );
}
