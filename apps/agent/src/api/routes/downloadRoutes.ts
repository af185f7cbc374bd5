import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { DownloadManager } from "../../downloads/DownloadManager.js";
import { isRepoId } from "../../downloads/HubClient.js";
import { AgentError } from "../../errors/AgentError.js";
import { Answer, serveRoute } from "../serveRoute.js";

export function downloadRoutes(app: Hono, downloads: DownloadManager) {
  serveRoute(app, api.downloads, () => ({ downloads: downloads.list() }));

  /** A hub repository and allow patterns, like snapshot_download; or the same one already running. */
  serveRoute(app, api.startDownload, async ({ body }) => {
    if (!isRepoId(body.repo))
      throw new AgentError({
        code: "badRequest",
        title: `Not a repository id: ${body.repo}`,
        hint: "Use org/name.",
      });
    const attached = downloads.attach(body);
    if (attached) return new Answer(attached, 200);
    return downloads.start(body);
  });

  serveRoute(app, api.pauseDownload, ({ params }) => downloads.pause(params.id));
  serveRoute(app, api.resumeDownload, ({ params }) => downloads.resume(params.id));
  serveRoute(app, api.cancelDownload, ({ params }) => downloads.cancel(params.id));
}
