import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import { quantMixOf } from "../../catalog/quantMix.js";
import { readModelAnatomy } from "../../catalog/readModelAnatomy.js";
import type { Runtime } from "../../runtime/Runtime.js";
import { serveRoute } from "../serveRoute.js";

export function runtimeRoutes(app: Hono, runtime: Runtime) {
  serveRoute(app, api.models, async () => {
    const models = await runtime.listModels();
    return {
      models: models.map(({ path: _path, files: _files, header: _header, ...summary }) => summary),
    };
  });

  serveRoute(app, api.deleteModel, async ({ query }) => {
    await runtime.deleteModel(query.id);
    return { deleted: query.id };
  });

  serveRoute(app, api.modelMix, async ({ query }) => {
    const model = await runtime.findModel(query.id);
    return quantMixOf(model.id, await readModelAnatomy(model.path));
  });

  serveRoute(app, api.runtime, () => runtime.status());

  serveRoute(app, api.load, ({ body }) => runtime.load(body.model, body.options));

  serveRoute(app, api.unload, async () => {
    await runtime.unload();
    return runtime.status();
  });

  serveRoute(app, api.generate, async ({ body }, c) => {
    const generation = await runtime.startGeneration(body.request, body.model, {
      returnPromptTokens: body.returnPromptTokens ?? false,
    });
    // A client that goes away cancels what it started.
    c.req.raw.signal.addEventListener("abort", () => runtime.cancel(generation.id));
    return generation.result;
  });
}
