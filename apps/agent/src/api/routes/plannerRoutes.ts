import { api, seedCatalog, type HardwareInfo } from "@quantdeck/shared";
import type { Hono } from "hono";
import { buildCatalog, catalogQuantId, type HubListing } from "../../catalog/buildCatalog.js";
import type { HubClient } from "../../downloads/HubClient.js";
import { catalogAnatomy } from "../../catalog/catalogAnatomy.js";
import { readModelAnatomy } from "../../catalog/readModelAnatomy.js";
import { planFit } from "../../planner/planFit.js";
import type { Runtime } from "../../runtime/Runtime.js";
import { AgentError } from "../../errors/AgentError.js";
import { serveRoute } from "../serveRoute.js";

/** The catalog's repository listing is kept this long (the hub rarely changes it). */
const LISTING_MAX_AGE_MS = 10 * 60_000;

export function plannerRoutes(
  app: Hono,
  runtime: Runtime,
  probe: () => Promise<HardwareInfo>,
  hub: HubClient,
) {
  let listing: { at: number; value: HubListing } | null = null;
  const catalogListing = async (): Promise<HubListing> => {
    if (listing && Date.now() - listing.at < LISTING_MAX_AGE_MS) return listing.value;
    try {
      listing = {
        at: Date.now(),
        value: { files: await hub.listFiles(seedCatalog.model.repo), error: null },
      };
    } catch (error) {
      // Offline is normal for this product: fall back to the guide's figures, and say so.
      // Not cached, so the hub is asked again next time.
      const { title, cause } = AgentError.from(error).apiError;
      return { files: null, error: (cause ? `${title}: ${cause}` : title).slice(0, 300) };
    }
    return listing.value;
  };

  /** A model on disk or a catalog quant. */
  serveRoute(app, api.plan, async ({ query }) => {
    const { model, contextSize, kvCacheType, parallel } = query;
    const quant = seedCatalog.quants.find((q) => catalogQuantId(q.folder) === model);
    const anatomy = quant
      ? catalogAnatomy(quant.type, quant.sizeGB * 1e9)
      : await readModelAnatomy((await runtime.findModel(model)).path);
    return planFit(anatomy, await probe(), { contextSize, kvCacheType, parallel });
  });

  serveRoute(app, api.catalog, async () => buildCatalog(await probe(), await catalogListing()));
}
