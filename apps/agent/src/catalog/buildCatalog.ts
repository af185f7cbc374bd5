import { seedCatalog, type CatalogResponse, type KvCacheType } from "@quantdeck/shared";
import { groupGgufFiles } from "../downloads/groupGgufFiles.js";
import type { HubFile } from "../downloads/HubClient.js";
import { planFit, type PlanHardware } from "../planner/planFit.js";
import { catalogAnatomy } from "./catalogAnatomy.js";

const ACCURACY_ORDER = ["IQ1_S", "IQ1_M", "IQ2_XXS", "Q2_K_XL", "Q3_K_XL", "Q4_K_XL"];
const RUNNABLE = ["fitsInVram", "fitsWithOffload", "fitsInRam"];

export function catalogQuantId(folder: string): string {
  return `${seedCatalog.model.id}:${folder}`;
}

/** The hub's listing of the catalog's repository, or why there is none. */
export interface HubListing {
  files: HubFile[] | null;
  error: string | null;
}

/**
 * The DeepSeek-V3-0324 dynamic quants, each planned for this box, and the one to use: the
 * most accurate that runs without swapping, else the smallest. Sizes and shard counts come
 * from the hub's listing when it answered (the guide's and the model card's figures
 * disagree), else from the guide.
 */
export function buildCatalog(
  hardware: PlanHardware,
  hub: HubListing = { files: null, error: null },
  contextSize = 4096,
  kvCacheType: KvCacheType = "q8_0",
): CatalogResponse {
  const sets = hub.files ? groupGgufFiles(hub.files) : [];
  const quants = seedCatalog.quants.map((q) => {
    const live = sets.find((set) => set.firstFile.startsWith(`${q.folder}/`));
    const sizeBytes = live?.sizeBytes ?? q.sizeGB * 1e9;
    const guideShards = "shards" in q && typeof q.shards === "number" ? q.shards : null;
    return {
      id: catalogQuantId(q.folder),
      moeBits: q.moeBits,
      type: q.type,
      folder: q.folder,
      sizeBytes,
      accuracy: q.accuracy,
      details: q.details,
      shards: live ? live.shardCount : guideShards,
      sizeSource: live ? ("hub" as const) : ("guide" as const),
      plan: planFit(catalogAnatomy(q.type, sizeBytes), hardware, { contextSize, kvCacheType }),
    };
  });
  const runnable = quants.filter((q) => RUNNABLE.includes(q.plan.verdict));
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
    hub: { reachable: hub.files !== null, error: hub.error },
  };
}
