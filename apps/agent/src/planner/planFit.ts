import {
  agentText,
  type AgentText,
  type CpuInfo,
  type FitPlan,
  type GpuInfo,
  type KvCacheType,
  type MemoryInfo,
} from "@quantdeck/shared";
import type { LayerBytes, ModelAnatomy } from "../catalog/modelAnatomy.js";
import { guideRuleOfThumb } from "./guideRuleOfThumb.js";
import { cpuBandwidthGBs, gpuBandwidthGBs } from "./memoryBandwidth.js";
import { gigabytes } from "../util/gigabytes.js";

export interface PlanHardware {
  gpus: GpuInfo[];
  memory: MemoryInfo;
  cpu: CpuInfo;
}

export interface PlanOptions {
  /** Per slot. */
  contextSize: number;
  kvCacheType: KvCacheType;
  /** Parallel slots, each with its own KV cache. Defaults to 1. */
  parallel?: number;
}

const GiB = 1024 ** 3;
/** Per GPU, held back for the CUDA context and compute buffers. */
export const gpuReserve = (gpu: GpuInfo) => 1 * GiB + 0.03 * gpu.vramTotalBytes;
/** RAM held back for the OS, the agent and the dashboard. */
export const RAM_RESERVE = 2 * GiB;
/** Share of peak bandwidth that decoding achieves, low and high (llama.cpp typically 40–70%). */
export const EFFICIENCY = { low: 0.4, high: 0.7 };

/** llama.cpp's default batch, which sizes the compute buffers. */
const BATCH = 512;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
export const layerTotal = (l: LayerBytes) =>
  l.attention + l.denseFfn + l.routedExperts + l.sharedExperts + l.norms;

/**
 * Fits a model to a box from its real tensor sizes: all layers on the GPUs if they fit;
 * for MoE models, otherwise attention, dense and shared-expert weights on the GPUs with the
 * routed experts in RAM (as many expert layers on the GPUs as fit); for dense models, as
 * many whole layers as fit; with no GPU, everything in RAM. Then the verdict, the expected
 * speed from memory bandwidth, and the reference guide's rule of thumb for comparison.
 */
export function planFit(
  anatomy: ModelAnatomy,
  hardware: PlanHardware,
  options: PlanOptions,
): FitPlan {
  const { layers, layerCount } = anatomy;
  const parallel = options.parallel ?? 1;
  const kvPerSlot = anatomy.kvBytesPerToken[options.kvCacheType] * options.contextSize;
  const kvCacheBytes = kvPerSlot * parallel;
  const kvPerLayer = layerCount > 0 ? kvCacheBytes / layerCount : 0;
  const budgets = hardware.gpus.map((g) => Math.max(0, g.vramFreeBytes - gpuReserve(g)));
  const gpuBudget = sum(budgets);
  const ramBudget = Math.max(0, hardware.memory.availableBytes - RAM_RESERVE);
  const moe = anatomy.expertCount > 0;
  const activeShare =
    moe && anatomy.expertCount > 0 ? anatomy.expertUsedCount / anatomy.expertCount : 1;
  const allLayerBytes = sum(layers.map(layerTotal));
  const notes: AgentText[] = [];
  if (parallel > 1)
    notes.push(
      agentText("plan.note.parallelKv", {
        parallel,
        perSlot: gigabytes(kvPerSlot),
        total: gigabytes(kvCacheBytes),
      }),
    );

  // Bytes read per token, per layer: every non-expert weight, and the routed experts in use.
  const activeOf = (l: LayerBytes, expertsToo = true) =>
    l.attention +
    l.denseFfn +
    l.sharedExperts +
    l.norms +
    (expertsToo ? l.routedExperts * activeShare : 0);

  let strategy: FitPlan["strategy"];
  let gpuLayers = 0;
  let cpuMoeLayers: number | null = null;
  let gpuBytes = 0;
  let gpuActive = 0;

  const allOnGpu = allLayerBytes + anatomy.outputBytes + kvCacheBytes;
  const nonExpertOnGpu =
    sum(layers.map((l) => layerTotal(l) - l.routedExperts)) + anatomy.outputBytes + kvCacheBytes;

  if (hardware.gpus.length === 0 || gpuBudget <= 0) {
    strategy = "cpuOnly";
  } else if (allOnGpu <= gpuBudget) {
    strategy = "allOnGpu";
    gpuLayers = layerCount + 1;
    gpuBytes = allOnGpu;
    gpuActive = sum(layers.map((l) => activeOf(l))) + anatomy.outputBytes;
  } else if (moe && nonExpertOnGpu <= gpuBudget) {
    strategy = "expertsOnCpu";
    gpuLayers = layerCount + 1;
    // --n-cpu-moe N keeps the experts of the first N layers in RAM; fill the GPUs from the end.
    let room = gpuBudget - nonExpertOnGpu;
    let n = layerCount;
    while (n > 0 && (layers[n - 1]?.routedExperts ?? 0) <= room) {
      room -= layers[n - 1]?.routedExperts ?? 0;
      n--;
    }
    cpuMoeLayers = n;
    notes.push(agentText("plan.note.expertsNeedServer"));
    gpuBytes = gpuBudget - room;
    gpuActive =
      sum(layers.map((l) => activeOf(l, false))) +
      anatomy.outputBytes +
      sum(layers.slice(n).map((l) => l.routedExperts * activeShare));
  } else {
    strategy = "layerOffload";
    // -ngl K puts the last K layers on the GPUs.
    let room = gpuBudget;
    let k = 0;
    while (
      k < layerCount &&
      layerTotal(layers[layerCount - 1 - k] ?? emptyLayer) + kvPerLayer <= room
    ) {
      room -= layerTotal(layers[layerCount - 1 - k] ?? emptyLayer) + kvPerLayer;
      k++;
    }
    gpuLayers = k;
    gpuBytes = gpuBudget - room;
    gpuActive = sum(layers.slice(layerCount - k).map((l) => activeOf(l)));
  }

  const totalActive = sum(layers.map((l) => activeOf(l))) + anatomy.outputBytes;
  const cpuActive = Math.max(0, totalActive - gpuActive);
  const modelAndKv = anatomy.totalBytes + kvCacheBytes;
  // What stays in RAM: everything not on a GPU (token embeddings always stay on the CPU),
  // plus a batch's compute buffers: a fixed part, activations (batch × width) and logits
  // (batch × vocabulary). Sized from a measurement here: a 221 MB Q8_0 model with a 67 MB
  // KV cache added 292 MB of resident memory on loading (test/planner.integration.test.ts).
  const computeBuffers =
    16 * 1024 ** 2 + BATCH * anatomy.embeddingLength * 4 * 4 + BATCH * anatomy.vocabSize * 4;
  const ramBytes = Math.max(anatomy.embeddingBytes, modelAndKv - gpuBytes) + computeBuffers;

  let verdict: FitPlan["verdict"];
  let shortfallBytes = 0;
  if (ramBytes <= ramBudget) {
    verdict =
      strategy === "allOnGpu"
        ? "fitsInVram"
        : strategy === "cpuOnly"
          ? "fitsInRam"
          : "fitsWithOffload";
  } else {
    shortfallBytes = ramBytes - ramBudget;
    verdict =
      ramBytes <= ramBudget + hardware.memory.swapFreeBytes ? "willSwap" : "needsMoreMemory";
    notes.push(agentText("plan.note.shortfall", { shortfall: gigabytes(shortfallBytes) }));
  }

  const gpuBw = hardware.gpus.map(gpuBandwidthGBs);
  const gpuBandwidth = gpuBw.length ? Math.min(...gpuBw.map((b) => b.value)) : 0;
  const cpuBandwidth = cpuBandwidthGBs(hardware.cpu);
  const secondsPerToken =
    (gpuBandwidth > 0 ? gpuActive / (gpuBandwidth * 1e9) : 0) + cpuActive / (cpuBandwidth * 1e9);
  const peak = secondsPerToken > 0 ? 1 / secondsPerToken : 0;
  const swapPenalty = verdict === "needsMoreMemory" ? 0.05 : verdict === "willSwap" ? 0.2 : 1;
  const tokensPerSecond = {
    low: round(peak * EFFICIENCY.low * swapPenalty),
    high: round(peak * EFFICIENCY.high * swapPenalty),
  };
  const formula = agentText("plan.formula", {
    effLow: EFFICIENCY.low,
    effHigh: EFFICIENCY.high,
    experts: moe
      ? agentText("plan.formula.experts", {
          used: anatomy.expertUsedCount,
          count: anatomy.expertCount,
        })
      : "",
    gpuActive: gigabytes(gpuActive),
    cpuActive: gigabytes(cpuActive),
    gpu: gpuBw.length
      ? agentText(
          gpuBw.every((b) => b.known) ? "plan.formula.gpuDatasheet" : "plan.formula.gpuAssumed",
          { bandwidth: gpuBandwidth },
        )
      : "",
    cpuBandwidth,
    cores: hardware.cpu.physicalCores,
  });

  const vramTotalGB = sum(hardware.gpus.map((g) => g.vramTotalBytes)) / 1e9;
  const guide = guideRuleOfThumb(anatomy.totalBytes / 1e9, vramTotalGB);
  const comparison = compareWithGuide(
    strategy,
    gpuLayers,
    cpuMoeLayers,
    layerCount,
    guide.gpuLayers,
    anatomy,
  );

  return {
    verdict,
    strategy,
    engine: strategy === "expertsOnCpu" ? "llama-server" : "node-llama-cpp",
    gpuLayers,
    cpuMoeLayers,
    tensorSplit: budgets.length > 1 ? budgets.map((b) => round(b / gpuBudget, 3)) : null,
    threads: hardware.cpu.physicalCores,
    contextSize: options.contextSize,
    kvCacheType: options.kvCacheType,
    predicted: {
      vramBytes: Math.round(gpuBytes),
      ramBytes: Math.round(ramBytes),
      kvCacheBytes: Math.round(kvCacheBytes),
      perGpuBytes: budgets.map((b) => Math.round(gpuBudget > 0 ? (gpuBytes * b) / gpuBudget : 0)),
    },
    shortfallBytes: Math.round(shortfallBytes),
    tokensPerSecond,
    formula,
    ruleOfThumb: { gpuLayers: guide.gpuLayers, source: guide.source, comparison },
    notes,
  };
}

const emptyLayer: LayerBytes = {
  attention: 0,
  denseFfn: 0,
  routedExperts: 0,
  sharedExperts: 0,
  norms: 0,
};

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function compareWithGuide(
  strategy: FitPlan["strategy"],
  gpuLayers: number,
  cpuMoeLayers: number | null,
  layerCount: number,
  guideLayers: number | null,
  anatomy: ModelAnatomy,
): AgentText {
  if (guideLayers === null) return agentText("plan.guide.none");
  const expertShare = Math.round(
    (sum(anatomy.layers.map((l) => l.routedExperts)) / anatomy.totalBytes) * 100,
  );
  switch (strategy) {
    case "expertsOnCpu":
      return agentText("plan.guide.expertsOnCpu", {
        guideLayers,
        layerCount,
        cpuMoeLayers: cpuMoeLayers ?? 0,
        expertShare,
        used: anatomy.expertUsedCount,
        count: anatomy.expertCount,
      });
    case "layerOffload":
      return agentText("plan.guide.layerOffload", { guideLayers, gpuLayers });
    case "allOnGpu":
      return agentText("plan.guide.allOnGpu", { guideLayers });
    case "cpuOnly":
      return agentText("plan.guide.cpuOnly");
  }
}
