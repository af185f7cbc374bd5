import type { Hono } from "hono";
import type { Runtime } from "../../runtime/Runtime.js";
import { prometheusText } from "../../monitor/prometheusText.js";
import { SAMPLE_INTERVAL_MS, type ResourceSampler } from "../../monitor/ResourceSampler.js";

export function monitorRoutes(
  app: Hono,
  sampler: ResourceSampler,
  runtime: Runtime,
  downloadBytesTotal: () => number,
  websocketClients: () => number,
) {
  /** The last 15 minutes, oldest first; new samples stream on the "monitor" topic. */
  app.get("/api/monitor", (c) =>
    c.json({ intervalMs: SAMPLE_INTERVAL_MS, samples: sampler.history.toArray() }),
  );

  app.get("/metrics", (c) => {
    const totals = runtime.generationTotals();
    return c.text(
      prometheusText({
        sample: sampler.history.latest,
        runtime: runtime.status(),
        tokensTotal: totals.tokens,
        generations: totals.finished,
        downloadBytesTotal: downloadBytesTotal(),
        websocketClients: websocketClients(),
      }),
      200,
      { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
    );
  });
}
