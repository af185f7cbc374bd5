import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { QuantizeJobs } from "../../quality/QuantizeJobs.js";
import { serveRoute } from "../serveRoute.js";

export function quantizeRoutes(app: Hono, jobs: QuantizeJobs) {
  serveRoute(app, api.quantizeJobs, () => ({ jobs: jobs.list() }));
  serveRoute(app, api.quantize, ({ body }) => jobs.start(body));
  serveRoute(app, api.quantizeJob, ({ params }) => jobs.get(params.id));
  serveRoute(app, api.cancelQuantize, ({ params }) => jobs.cancel(params.id));
}
