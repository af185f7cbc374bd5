import { benchResultSchema, enginePreferenceSchema } from "@quantdeck/shared";
import type { Hono } from "hono";
import { z } from "zod";
import type { EngineManager } from "../../engines/EngineManager.js";
import { parseBody } from "../parseBody.js";

export function engineRoutes(app: Hono, engines: EngineManager) {
  /** Which engine serves and why, the llama-server build, and benchmarks. */
  app.get("/api/engine", (c) => c.json(engines.status()));

  /** Builds llama-server, llama-bench and ggml-rpc-server (minutes); progress on the `engine` topic. */
  app.post("/api/engine/build", (c) => c.json(engines.startBuild(), 202));

  app.put("/api/engine", async (c) => {
    const { preference } = await parseBody(c, z.object({ preference: enginePreferenceSchema }));
    return c.json(await engines.setPreference(preference));
  });

  /** llama-bench pp512 / tg128 at the loaded model's settings. */
  app.post("/api/runtime/bench", async (c) =>
    c.json(benchResultSchema.parse(await engines.bench())),
  );
}
