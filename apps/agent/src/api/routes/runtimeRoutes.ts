import { generationRequestSchema, loadRequestSchema } from "@quantdeck/shared";
import type { Hono } from "hono";
import { z } from "zod";
import type { Runtime } from "../../runtime/Runtime.js";
import { parseBody, parseQuery } from "../parseBody.js";

const httpGenerateSchema = z.object({
  model: z.string().min(1).max(1024).optional(),
  request: generationRequestSchema,
  /** Return the token ids the model was given (prompt inspection, tests). */
  returnPromptTokens: z.boolean().optional(),
});

export function runtimeRoutes(app: Hono, runtime: Runtime) {
  app.get("/api/models", async (c) => {
    const models = await runtime.listModels();
    return c.json({
      models: models.map(({ path: _path, files: _files, header: _header, ...summary }) => summary),
    });
  });

  /** DELETE /api/models?id=ID — removes a model's files from the models folder. */
  app.delete("/api/models", async (c) => {
    const { id } = parseQuery(c, z.object({ id: z.string().min(1).max(1024) }));
    await runtime.deleteModel(id);
    return c.json({ deleted: id });
  });

  app.get("/api/runtime", (c) => c.json(runtime.status()));

  app.post("/api/runtime/load", async (c) => {
    const body = await parseBody(c, loadRequestSchema);
    return c.json(await runtime.load(body.model, body.options));
  });

  app.post("/api/runtime/unload", async (c) => {
    await runtime.unload();
    return c.json(runtime.status());
  });

  /** The whole answer in one response; streaming clients use the WebSocket or /v1. */
  app.post("/api/runtime/generate", async (c) => {
    const body = await parseBody(c, httpGenerateSchema);
    const generation = await runtime.startGeneration(body.request, body.model, {
      returnPromptTokens: body.returnPromptTokens ?? false,
    });
    // A client that goes away cancels what it started.
    c.req.raw.signal.addEventListener("abort", () => runtime.cancel(generation.id));
    return c.json(await generation.result);
  });
}
