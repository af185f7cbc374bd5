"use client";

import { api, type UpdateSettingsRequest } from "@quantdeck/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card, Field } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { secondaryButton as button } from "@/components/formStyles";
import { PreferencesMenu } from "@/components/PreferencesMenu";
import { ApiKeysCard } from "./_components/ApiKeysCard";
import { BoxesCard } from "./_components/BoxesCard";
import { EngineCard } from "./_components/EngineCard";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { HiddenLabel } from "@/components/HiddenLabel";

const input =
  "min-w-0 flex-1 rounded-md border border-zinc-300 bg-transparent px-3 py-2 font-mono text-sm dark:border-zinc-700";

export default function SettingsPage() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const settings = useQuery(agentQueries.settings());
  const status = useQuery(agentQueries.status());
  const auth = useQuery(agentQueries.auth());
  const [folder, setFolder] = useState("");
  const [token, setToken] = useState("");
  const update = useMutation({
    mutationFn: (body: UpdateSettingsRequest) => agentApi.call(api.updateSettings, { body }),
    onSuccess: async (data) => {
      queryClient.setQueryData(agentQueries.settings().queryKey, data);
      await queryClient.invalidateQueries({ queryKey: agentQueries.models().queryKey });
    },
  });
  const logout = useMutation({
    mutationFn: () => agentApi.call(api.logout),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  const data = settings.data;

  const addFolder = (event: FormEvent) => {
    event.preventDefault();
    if (!data || !folder.trim()) return;
    update.mutate(
      { extraModelDirs: [...data.extraModelDirs, folder.trim()] },
      { onSuccess: () => setFolder("") },
    );
  };
  const saveToken = (event: FormEvent) => {
    event.preventDefault();
    if (token) update.mutate({ hubToken: token }, { onSuccess: () => setToken("") });
  };

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <EngineCard />
      <Card title={t("settings.agent")} testId="settings-agent">
        <dl>
          <Field label={t("connection.host")}>{status.data?.hostname ?? "—"}</Field>
          <Field label={t("connection.agentVersion")}>{status.data?.agentVersion ?? "—"}</Field>
        </dl>
        <p className="mt-2 text-sm text-zinc-500">
          {auth.data?.required ? t("settings.authOn") : t("settings.authOff")}
        </p>
        {auth.data?.required && (
          <button type="button" className={`${button} mt-2`} onClick={() => logout.mutate()}>
            {t("settings.signOut")}
          </button>
        )}
      </Card>

      <ApiKeysCard />

      <BoxesCard />

      <Card title={t("settings.appearance")} testId="settings-appearance">
        <PreferencesMenu testId="settings-language" />
      </Card>

      <Card title={t("settings.folders")} testId="settings-folders">
        {data && (
          <div className="grid gap-3 text-sm">
            <div>
              <p className="text-xs text-zinc-500">{t("settings.modelsDir")}</p>
              <p className="font-mono break-all">{data.modelsDir}</p>
            </div>
            {data.configuredModelDirs.length > 0 && (
              <div>
                <p className="text-xs text-zinc-500">{t("settings.configured")}</p>
                {data.configuredModelDirs.map((d) => (
                  <p key={d} className="font-mono break-all">
                    {d}
                  </p>
                ))}
              </div>
            )}
            <div>
              <p className="text-xs text-zinc-500">{t("settings.extra")}</p>
              <ul className="grid gap-1">
                {data.extraModelDirs.map((d) => (
                  <li
                    key={d}
                    data-testid="extra-folder"
                    className="flex items-center justify-between gap-2"
                  >
                    <span className="font-mono break-all">{d}</span>
                    <button
                      type="button"
                      className={button}
                      onClick={() =>
                        update.mutate({
                          extraModelDirs: data.extraModelDirs.filter((x) => x !== d),
                        })
                      }
                    >
                      {t("settings.remove")}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
            <form onSubmit={addFolder} className="flex gap-2">
              <HiddenLabel htmlFor="folder">{t("settings.addFolder")}</HiddenLabel>
              <input
                id="folder"
                data-testid="folder-input"
                className={input}
                value={folder}
                onChange={(e) => setFolder(e.target.value)}
                placeholder={t("settings.folderPlaceholder")}
              />
              <button type="submit" data-testid="add-folder" className={button}>
                {t("settings.addFolder")}
              </button>
            </form>
          </div>
        )}
      </Card>

      <Card title={t("settings.hub")} testId="settings-hub">
        {data && (
          <div className="grid gap-3 text-sm">
            <dl>
              <Field label="HF_ENDPOINT">
                <span className="font-mono">{data.hubEndpoint}</span>
              </Field>
            </dl>
            <p data-testid="token-state">{t(`settings.tokenSet.${data.hubTokenSource}`)}</p>
            <form onSubmit={saveToken} className="flex gap-2">
              <HiddenLabel htmlFor="hub-token">{t("settings.hubToken")}</HiddenLabel>
              <input
                id="hub-token"
                data-testid="hub-token"
                type="password"
                autoComplete="off"
                className={input}
                value={token}
                onChange={(e) => setToken(e.target.value)}
                placeholder={t("settings.hubToken")}
              />
              <button type="submit" data-testid="save-token" className={button}>
                {t("settings.save")}
              </button>
              {data.hubTokenSource === "settings" && (
                <button
                  type="button"
                  className={button}
                  onClick={() => update.mutate({ hubToken: null })}
                >
                  {t("settings.clear")}
                </button>
              )}
            </form>
            <p className="text-xs text-zinc-500">{t("settings.hubTokenHelp")}</p>
          </div>
        )}
      </Card>
      {update.error && <ErrorNote error={update.error} />}
    </div>
  );
}
