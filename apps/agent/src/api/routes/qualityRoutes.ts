import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { QualityRuns } from "../../quality/QualityRuns.js";
import type { QuantizeJobs } from "../../quality/QuantizeJobs.js";
import { serveRoute } from "../serveRoute.js";

export function qualityRoutes(app: Hono, jobs: QuantizeJobs, runs: QualityRuns) {
  serveRoute(app, api.quantizeJobs, () => ({ jobs: jobs.list() }));
  serveRoute(app, api.planQuantize, ({ body }) => jobs.plan(body));
  serveRoute(app, api.quantize, ({ body }) => jobs.start(body));
  serveRoute(app, api.quantizeJob, ({ params }) => jobs.get(params.id));
  serveRoute(app, api.cancelQuantize, ({ params }) => jobs.cancel(params.id));

  serveRoute(app, api.qualityRuns, () => ({ runs: runs.list() }));
  serveRoute(app, api.planQualityRun, ({ body }) => runs.plan(body));
  serveRoute(app, api.evaluationTexts, () => runs.texts());
  serveRoute(app, api.startQualityRun, ({ body }) => runs.start(body));
  serveRoute(app, api.qualityRun, ({ params }) => runs.get(params.id));
  serveRoute(app, api.cancelQualityRun, ({ params }) => runs.cancel(params.id));
  serveRoute(app, api.deleteQualityRun, ({ params }) => {
    runs.delete(params.id);
    return { deleted: params.id };
  });
}
