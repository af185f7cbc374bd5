import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import { groupGgufFiles } from "../../downloads/groupGgufFiles.js";
import { hubUnreachable, isRepoId, type HubClient } from "../../downloads/HubClient.js";
import { quantMixOf } from "../../catalog/quantMix.js";
import { readModelAnatomy } from "../../catalog/readModelAnatomy.js";
import { AgentError, messageOf } from "../../errors/AgentError.js";
import { badRequest } from "../../errors/commonErrors.js";
import { serveRoute } from "../serveRoute.js";

function repoOf(params: { org: string; name: string }): string {
  const repo = `${params.org}/${params.name}`;
  if (!isRepoId(repo))
    throw new AgentError({
      code: "badRequest",
      title: `Not a repository id: ${repo.slice(0, 200)}`,
      hint: "Use org/name, e.g. unsloth/DeepSeek-V3-0324-GGUF.",
    });
  return repo;
}

export function hubRoutes(app: Hono, hub: HubClient) {
  serveRoute(app, api.hubRepo, async ({ params, query }) => {
    const repo = repoOf(params);
    const files = await hub.listFiles(repo, query.revision);
    return { repo, revision: query.revision, models: groupGgufFiles(files) };
  });

  serveRoute(app, api.hubMix, async ({ params, query }) => {
    const repo = repoOf(params);
    const file = query.file;
    if (!file.endsWith(".gguf") || file.split("/").some((part) => part === ".." || part === ""))
      throw badRequest(
        `Not a GGUF file of the repository: ${file.slice(0, 200)}`,
        "Name a .gguf file by its path in the repository (any shard of a split set).",
      );
    const url = hub.resolveUrl(repo, file, query.revision);
    let anatomy;
    try {
      // Header-only range reads; every shard of a split set is read, by name.
      anatomy = await readModelAnatomy(url, { headers: hub.headersFor(url) });
    } catch (error) {
      throw hubUnreachable(messageOf(error).slice(0, 200));
    }
    return quantMixOf(`${repo}/${file}`, anatomy);
  });
}
