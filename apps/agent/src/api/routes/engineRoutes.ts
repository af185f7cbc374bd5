import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { EngineManager } from "../../engines/EngineManager.js";
import { serveRoute } from "../serveRoute.js";

export function engineRoutes(app: Hono, engines: EngineManager) {
  serveRoute(app, api.engine, () => engines.status());
  serveRoute(app, api.buildEngine, () => engines.startBuild());
  serveRoute(app, api.setEnginePreference, ({ body }) => engines.setPreference(body.preference));
  serveRoute(app, api.bench, () => engines.bench());
}
