import { api, type ApiKey } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { Runtime } from "../../runtime/Runtime.js";
import { prometheusText } from "../../monitor/prometheusText.js";
import { serveRoute } from "../serveRoute.js";
import { SAMPLE_INTERVAL_MS, type ResourceSampler } from "../../monitor/ResourceSampler.js";

export function monitorRoutes(
  app: Hono,
  sampler: ResourceSampler,
  runtime: Runtime,
  downloadBytesTotal: () => number,
  websocketClients: () => number,
  apiKeys: () => ApiKey[],
) {
  serveRoute(app, api.monitor, ({ query }) => {
    const samples = sampler.history.toArray();
    return {
      intervalMs: SAMPLE_INTERVAL_MS,
      samples: query.last === undefined ? samples : samples.slice(-query.last),
    };
  });

  serveRoute(app, api.metrics, (_, c) => {
    const totals = runtime.generationTotals();
    return c.text(
      prometheusText({
        sample: sampler.history.latest,
        runtime: runtime.status(),
        tokensTotal: totals.tokens,
        generations: totals.finished,
        downloadBytesTotal: downloadBytesTotal(),
        websocketClients: websocketClients(),
        apiKeys: apiKeys(),
      }),
      200,
      { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
    );
  });
}
