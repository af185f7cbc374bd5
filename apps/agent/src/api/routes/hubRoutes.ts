import type { HubRepoResponse } from "@quantdeck/shared";
import type { Hono } from "hono";
import { groupGgufFiles } from "../../downloads/groupGgufFiles.js";
import { HubError, isRepoId, type HubClient } from "../../downloads/HubClient.js";
import { HttpError } from "../httpErrors.js";

/** A hub failure as the client should see it. */
export function hubHttpError(error: unknown, what: string): HttpError {
  if (!(error instanceof HubError)) throw error;
  switch (error.kind) {
    case "notFound":
      return new HttpError(404, {
        code: "unknownRepo",
        title: `No ${what} on the hub`,
        hint: "Check the spelling (org/name) and the revision.",
      });
    case "unauthorized":
      return new HttpError(401, {
        code: "hubUnauthorized",
        title: "The hub refused access",
        hint: "The repository may be gated or private: set a hub token (HF_TOKEN).",
      });
    default:
      return new HttpError(503, {
        code: "hubUnreachable",
        title: "The model hub could not be reached",
        hint: "Check the network, or HF_ENDPOINT if you use a mirror.",
        cause: error.message.slice(0, 300),
      });
  }
}

export function hubRoutes(app: Hono, hub: HubClient) {
  /** GET /api/hub/models/ORG/NAME?revision=main — a repository's GGUF models, grouped by quant. */
  app.get("/api/hub/models/:org/:name", async (c) => {
    const repo = `${c.req.param("org")}/${c.req.param("name")}`;
    const revision = c.req.query("revision") ?? "main";
    if (!isRepoId(repo))
      throw new HttpError(400, {
        code: "badRequest",
        title: `Not a repository id: ${repo.slice(0, 200)}`,
        hint: "Use org/name, e.g. unsloth/DeepSeek-V3-0324-GGUF.",
      });
    try {
      const files = await hub.listFiles(repo, revision);
      return c.json({ repo, revision, models: groupGgufFiles(files) } satisfies HubRepoResponse);
    } catch (error) {
      throw hubHttpError(error, `repository ${repo} at ${revision}`);
    }
  });
}
