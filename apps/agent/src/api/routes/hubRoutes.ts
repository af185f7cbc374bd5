import type { HubRepoResponse } from "@quantdeck/shared";
import type { Hono } from "hono";
import { groupGgufFiles } from "../../downloads/groupGgufFiles.js";
import { isRepoId, type HubClient } from "../../downloads/HubClient.js";
import { AgentError } from "../../errors/AgentError.js";

export function hubRoutes(app: Hono, hub: HubClient) {
  /** GET /api/hub/models/ORG/NAME?revision=main — a repository's GGUF models, grouped by quant. */
  app.get("/api/hub/models/:org/:name", async (c) => {
    const repo = `${c.req.param("org")}/${c.req.param("name")}`;
    const revision = c.req.query("revision") ?? "main";
    if (!isRepoId(repo))
      throw new AgentError({
        code: "badRequest",
        title: `Not a repository id: ${repo.slice(0, 200)}`,
        hint: "Use org/name, e.g. unsloth/DeepSeek-V3-0324-GGUF.",
      });
    const files = await hub.listFiles(repo, revision);
    return c.json({ repo, revision, models: groupGgufFiles(files) } satisfies HubRepoResponse);
  });
}
