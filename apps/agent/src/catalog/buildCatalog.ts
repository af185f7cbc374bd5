import { seedCatalog, type CatalogResponse, type KvCacheType } from "@quantdeck/shared";
import { planFit, type PlanHardware } from "../planner/planFit.js";
import { catalogAnatomy } from "./catalogAnatomy.js";

const ACCURACY_ORDER = ["IQ1_S", "IQ1_M", "IQ2_XXS", "Q2_K_XL", "Q3_K_XL", "Q4_K_XL"];

export function catalogQuantId(folder: string): string {
  return `${seedCatalog.model.id}:${folder}`;
}

/**
 * The DeepSeek-V3-0324 dynamic quants (the guide's table, sizes as the guide gives them
 * until the hub's listing says otherwise), each planned for this box, and the one to use:
 * the most accurate that runs without swapping, else the smallest.
 */
export function buildCatalog(
  hardware: PlanHardware,
  contextSize = 4096,
  kvCacheType: KvCacheType = "q8_0",
): CatalogResponse {
  const quants = seedCatalog.quants.map((q) => {
    const sizeBytes = q.sizeGB * 1e9;
    return {
      id: catalogQuantId(q.folder),
      moeBits: q.moeBits,
      type: q.type,
      folder: q.folder,
      sizeBytes,
      accuracy: q.accuracy,
      details: q.details,
      shards: "shards" in q && typeof q.shards === "number" ? q.shards : null,
      plan: planFit(catalogAnatomy(q.type, sizeBytes), hardware, { contextSize, kvCacheType }),
    };
  });
  const runnable = quants.filter((q) =>
    ["fitsInVram", "fitsWithOffload", "fitsInRam"].includes(q.plan.verdict),
  );
  const best = runnable.sort(
    (a, b) => ACCURACY_ORDER.indexOf(b.type) - ACCURACY_ORDER.indexOf(a.type),
  )[0];
  const smallest = [...quants].sort((a, b) => a.sizeBytes - b.sizeBytes)[0];
  const m = seedCatalog.model;
  return {
    model: {
      id: m.id,
      name: m.name,
      repo: m.repo,
      layers: m.layers,
      totalParams: m.totalParams,
      activeParams: m.activeParams,
    },
    quants,
    recommendedQuantId: (best ?? smallest)?.id ?? null,
    tips: seedCatalog.tips,
  };
}
