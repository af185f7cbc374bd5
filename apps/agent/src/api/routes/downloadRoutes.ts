import { startDownloadRequestSchema } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { DownloadManager } from "../../downloads/DownloadManager.js";
import { isRepoId } from "../../downloads/HubClient.js";
import { AgentError } from "../../errors/AgentError.js";
import { parseBody } from "../parseBody.js";

export function downloadRoutes(app: Hono, downloads: DownloadManager) {
  app.get("/api/downloads", (c) => c.json({ downloads: downloads.list() }));

  /** Starts a download (a hub repository and allow patterns, like snapshot_download), or attaches to the same one. */
  app.post("/api/downloads", async (c) => {
    const body = await parseBody(c, startDownloadRequestSchema);
    if (!isRepoId(body.repo))
      throw new AgentError({
        code: "badRequest",
        title: `Not a repository id: ${body.repo}`,
        hint: "Use org/name.",
      });
    const attached = downloads.attach(body);
    if (attached) return c.json(attached, 200);
    return c.json(await downloads.start(body), 201);
  });

  app.post("/api/downloads/:id/pause", (c) => c.json(downloads.pause(c.req.param("id"))));
  app.post("/api/downloads/:id/resume", (c) => c.json(downloads.resume(c.req.param("id"))));
  app.post("/api/downloads/:id/cancel", async (c) =>
    c.json(await downloads.cancel(c.req.param("id"))),
  );
}
