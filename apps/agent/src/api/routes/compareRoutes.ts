import { createReadStream, readFileSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import {
  compareRunsQuerySchema,
  startCompareRequestSchema,
  type SandboxStatus,
} from "@quantdeck/shared";
import type { Hono } from "hono";
import type { CompareRunner } from "../../compare/CompareRunner.js";
import { exportCompareHtml } from "../../compare/exportHtml.js";
import { AgentError } from "../../errors/AgentError.js";
import { parseBody, parseQuery } from "../parseBody.js";

export function compareRoutes(
  app: Hono,
  runner: CompareRunner,
  sandbox: (refresh: boolean) => Promise<SandboxStatus>,
) {
  /** Whether generated programs can run here, and what to install if not. */
  app.get("/api/compare/sandbox", async (c) =>
    c.json(await sandbox(c.req.query("refresh") === "1")),
  );

  app.get("/api/compare/runs", (c) => {
    const { limit, cursor } = parseQuery(c, compareRunsQuerySchema);
    return c.json(runner.list(limit, cursor));
  });

  app.post("/api/compare/runs", async (c) => {
    const body = await parseBody(c, startCompareRequestSchema);
    return c.json(await runner.start(body), 201);
  });

  app.get("/api/compare/runs/:id", (c) => c.json(runner.get(c.req.param("id"))));

  app.post("/api/compare/runs/:id/cancel", (c) => c.json(runner.cancel(c.req.param("id"))));

  app.delete("/api/compare/runs/:id", (c) => {
    runner.delete(c.req.param("id"));
    return c.json({ deleted: c.req.param("id") });
  });

  /** A program's recording (VP8 WebM), with Range so players can seek. */
  app.get("/api/compare/runs/:id/answers/:index/recording", (c) => {
    const index = Number(c.req.param("index"));
    const path = Number.isInteger(index) ? runner.recordingPath(c.req.param("id"), index) : null;
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

  /** The whole run as one self-contained HTML file. */
  app.get("/api/compare/runs/:id/export", (c) => {
    const run = runner.get(c.req.param("id"));
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
