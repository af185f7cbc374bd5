import { startDownloadRequestSchema } from "@quantdeck/shared";
import type { Hono } from "hono";
import { DownloadError, type DownloadManager } from "../../downloads/DownloadManager.js";
import { HubError, isRepoId } from "../../downloads/HubClient.js";
import { HttpError } from "../httpErrors.js";
import { parseBody } from "../parseBody.js";
import { hubHttpError } from "./hubRoutes.js";

export function downloadRoutes(app: Hono, downloads: DownloadManager) {
  app.get("/api/downloads", (c) => c.json({ downloads: downloads.list() }));

  /** Starts a download (a hub repository and allow patterns, like snapshot_download), or attaches to the same one. */
  app.post("/api/downloads", async (c) => {
    const body = await parseBody(c, startDownloadRequestSchema);
    if (!isRepoId(body.repo))
      throw new HttpError(400, {
        code: "badRequest",
        title: `Not a repository id: ${body.repo}`,
        hint: "Use org/name.",
      });
    const attached = downloads.attach(body);
    if (attached) return c.json(attached, 200);
    return c.json(await guard(() => downloads.start(body), body.repo), 201);
  });

  app.post("/api/downloads/:id/pause", async (c) =>
    c.json(await guard(() => downloads.pause(c.req.param("id")))),
  );
  app.post("/api/downloads/:id/resume", async (c) =>
    c.json(await guard(() => downloads.resume(c.req.param("id")))),
  );
  app.post("/api/downloads/:id/cancel", async (c) =>
    c.json(await guard(() => downloads.cancel(c.req.param("id")))),
  );
}

async function guard<T>(action: () => T | Promise<T>, repo?: string): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof DownloadError)
      throw new HttpError(error.status === 507 ? 409 : error.status, error.apiError);
    if (error instanceof HubError) throw hubHttpError(error, `repository ${repo ?? ""}`);
    throw error;
  }
}
