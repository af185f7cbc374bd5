import { createReadStream, readFileSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import { api, type SandboxStatus } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { CompareRunner } from "../../compare/CompareRunner.js";
import { exportCompareHtml } from "../../compare/exportHtml.js";
import { AgentError } from "../../errors/AgentError.js";
import { serveRoute } from "../serveRoute.js";

export function compareRoutes(
  app: Hono,
  runner: CompareRunner,
  sandbox: (refresh: boolean) => Promise<SandboxStatus>,
) {
  serveRoute(app, api.sandbox, ({ query }) => sandbox(query.refresh === "1"));
  serveRoute(app, api.compareRuns, ({ query }) => runner.list(query.limit, query.cursor));
  serveRoute(app, api.startCompare, ({ body }) => runner.start(body));
  serveRoute(app, api.compareRun, ({ params }) => runner.get(params.id));
  serveRoute(app, api.cancelCompare, ({ params }) => runner.cancel(params.id));
  serveRoute(app, api.deleteCompare, ({ params }) => {
    runner.delete(params.id);
    return { deleted: params.id };
  });

  /** With Range, so players can seek. */
  serveRoute(app, api.compareRecording, ({ params }, c) => {
    const index = Number(params.index);
    const path = Number.isInteger(index) ? runner.recordingPath(params.id, index) : null;
    if (!path)
      throw new AgentError({
        code: "notFound",
        title: "This answer has no recording",
        hint: "Only programs that ran in the sandbox are recorded.",
      });
    const size = statSync(path).size;
    const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header("range") ?? "");
    const headers: Record<string, string> = {
      "Content-Type": "video/webm",
      "Accept-Ranges": "bytes",
      "Cache-Control": "private, max-age=3600",
    };
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end)
        return c.body(null, 416, { "Content-Range": `bytes */${size}` });
      return c.body(Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream, 206, {
        ...headers,
        "Content-Range": `bytes ${start}-${end}/${size}`,
        "Content-Length": String(end - start + 1),
      });
    }
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, {
      ...headers,
      "Content-Length": String(size),
    });
  });

  serveRoute(app, api.compareExport, ({ params }, c) => {
    const run = runner.get(params.id);
    const html = exportCompareHtml(run, (index) => {
      const path = runner.recordingPath(run.id, index);
      return path ? readFileSync(path) : null;
    });
    const name = `quantdeck-${run.prompt.id ?? "custom"}-${run.id.slice(0, 8)}.html`;
    return c.body(html, 200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
    });
  });
}
