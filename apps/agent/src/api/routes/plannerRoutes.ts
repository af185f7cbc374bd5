import { planRequestSchema, seedCatalog, type HardwareInfo } from "@quantdeck/shared";
import type { Hono } from "hono";
import { buildCatalog, catalogQuantId } from "../../catalog/buildCatalog.js";
import { catalogAnatomy } from "../../catalog/catalogAnatomy.js";
import { readModelAnatomy } from "../../catalog/readModelAnatomy.js";
import { planFit } from "../../planner/planFit.js";
import type { Runtime } from "../../runtime/Runtime.js";
import { describeZodError, HttpError } from "../httpErrors.js";

export function plannerRoutes(app: Hono, runtime: Runtime, probe: () => Promise<HardwareInfo>) {
  /** GET /api/plan?model=ID&contextSize=4096&kvCacheType=q8_0 — a model on disk or a catalog quant. */
  app.get("/api/plan", async (c) => {
    const query = c.req.query();
    const parsed = planRequestSchema.safeParse({
      ...query,
      ...(query.contextSize !== undefined && { contextSize: Number(query.contextSize) }),
    });
    if (!parsed.success)
      throw new HttpError(400, {
        code: "badRequest",
        title: "Invalid plan request",
        hint: describeZodError(parsed.error),
      });
    const { model, contextSize, kvCacheType } = parsed.data;
    const quant = seedCatalog.quants.find((q) => catalogQuantId(q.folder) === model);
    const anatomy = quant
      ? catalogAnatomy(quant.type, quant.sizeGB * 1e9)
      : await readModelAnatomy((await runtime.findModel(model)).path);
    return c.json(planFit(anatomy, await probe(), { contextSize, kvCacheType }));
  });

  app.get("/api/catalog", async (c) => c.json(buildCatalog(await probe())));
}
