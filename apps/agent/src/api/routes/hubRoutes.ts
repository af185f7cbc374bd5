import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import { groupGgufFiles } from "../../downloads/groupGgufFiles.js";
import { isRepoId, type HubClient } from "../../downloads/HubClient.js";
import { AgentError } from "../../errors/AgentError.js";
import { serveRoute } from "../serveRoute.js";

export function hubRoutes(app: Hono, hub: HubClient) {
  serveRoute(app, api.hubRepo, async ({ params, query }) => {
    const repo = `${params.org}/${params.name}`;
    if (!isRepoId(repo))
      throw new AgentError({
        code: "badRequest",
        title: `Not a repository id: ${repo.slice(0, 200)}`,
        hint: "Use org/name, e.g. unsloth/DeepSeek-V3-0324-GGUF.",
      });
    const files = await hub.listFiles(repo, query.revision);
    return { repo, revision: query.revision, models: groupGgufFiles(files) };
  });
}
