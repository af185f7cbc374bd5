"use client";

import { api } from "@quantdeck/shared";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Card } from "@/components/Card";
import { ErrorNote } from "@/components/ErrorNote";
import { agentApi } from "@/lib/agent/httpClient";
import { formatBytes } from "@/lib/format";
import { useI18n } from "@/lib/i18n/I18nProvider";
import { useStartDownload } from "./useStartDownload";
import { HiddenLabel } from "@/components/HiddenLabel";

function lookUp(repo: string) {
  // Anything past org/name stays in the name, so the agent refuses it instead of a shorter id.
  const [org = "", ...name] = repo.split("/");
  return agentApi.call(api.hubRepo, { params: { org, name: name.join("/") } });
}

/** Any Hugging Face repository by name: its GGUF models, grouped by quant, ready to download. */
export function HubRepoLookup() {
  const { t } = useI18n();
  const [repo, setRepo] = useState("unsloth/DeepSeek-V3-0324-GGUF");
  const listing = useMutation({ mutationFn: lookUp });
  const download = useStartDownload();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    listing.mutate(repo.trim());
  };
  return (
    <Card title={t("models.hubTitle")} testId="hub-lookup">
      <form onSubmit={submit} className="mb-3 flex gap-2">
        <HiddenLabel htmlFor="hub-repo">{t("models.hubTitle")}</HiddenLabel>
        <input
          id="hub-repo"
          data-testid="hub-repo"
          value={repo}
          onChange={(e) => setRepo(e.target.value)}
          placeholder={t("models.hubPlaceholder")}
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-transparent px-3 py-2 font-mono text-sm dark:border-zinc-700"
        />
        <button
          type="submit"
          data-testid="hub-look"
          className="rounded-md bg-sky-600 px-3 py-2 text-sm font-semibold text-white hover:bg-sky-500"
        >
          {t("models.hubLook")}
        </button>
      </form>
      {listing.error && <ErrorNote error={listing.error} />}
      <ul className="grid gap-2">
        {listing.data?.models.map((m) => (
          <li
            key={m.firstFile}
            data-testid={`hub-model-${m.quant}`}
            className="flex items-center justify-between gap-3 text-sm"
          >
            <span className="min-w-0">
              <span className="font-medium">{m.quant}</span>{" "}
              <span className="text-xs text-zinc-500">
                {formatBytes(m.sizeBytes)}
                {m.shardCount > 1 && ` · ${m.shardCount} files`}
              </span>
            </span>
            <button
              type="button"
              data-testid={`hub-download-${m.quant}`}
              className="rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
              onClick={() =>
                listing.data &&
                download.mutate({ repo: listing.data.repo, include: m.files.map((f) => f.path) })
              }
            >
              {t("models.download")}
            </button>
          </li>
        ))}
      </ul>
      {download.error && <ErrorNote error={download.error} />}
    </Card>
  );
}
