import {
  agentText,
  type AgentText,
  type HardwareInfo,
  type KvCacheType,
  type LinkProbe,
  type SplitPlan,
} from "@quantdeck/shared";
import type { LayerBytes, ModelAnatomy } from "../catalog/modelAnatomy.js";
import { gigabytes } from "../util/gigabytes.js";
import { cpuBandwidthGBs, gpuBandwidthGBs } from "./memoryBandwidth.js";
import { EFFICIENCY, gpuReserve, layerTotal, planFit, RAM_RESERVE } from "./planFit.js";

export interface SplitWorker {
  name: string;
  hardware: HardwareInfo;
  /** Null when it could not be measured (`problem` says why). */
  link: LinkProbe | null;
  problem: string | null;
}

/**
 * RPC round trips per worker and token: the input's set_tensor, graph_compute, the
 * output's get_tensor (llama.cpp's ggml-rpc sends each as its own command).
 */
const TRIPS_PER_TOKEN = 3;
/** What an unmeasured link is taken to be. */
const ASSUMED_LINK: LinkProbe = { latencyMs: 0.5, megabitsPerSecond: 1000 };

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** What a box can give a model: free VRAM with GPUs, else free RAM, less a reserve. */
function budgetOf(hardware: HardwareInfo) {
  if (hardware.gpus.length > 0)
    return {
      device: "gpu" as const,
      bytes: hardware.gpus.reduce(
        (sum, gpu) => sum + Math.max(0, gpu.vramFreeBytes - gpuReserve(gpu)),
        0,
      ),
      bandwidthGBs: Math.min(...hardware.gpus.map((gpu) => gpuBandwidthGBs(gpu).value)),
    };
  return {
    device: "cpu" as const,
    bytes: Math.max(0, hardware.memory.availableBytes - RAM_RESERVE),
    bandwidthGBs: cpuBandwidthGBs(hardware.cpu),
  };
}

/**
 * A model split across worker boxes as the agent loads it (every repeating layer on the
 * workers' devices, shared by the memory each offers; the embeddings and output on the
 * head): each box's layers and memory, and the speed, with each link's round trips and
 * throughput as a term of its own. The same model on the head alone is planned beside it,
 * so a split that only costs speed says so.
 */
export function planSplit(
  anatomy: ModelAnatomy,
  head: HardwareInfo,
  workers: SplitWorker[],
  options: { contextSize: number; kvCacheType: KvCacheType },
): SplitPlan {
  const notes: AgentText[] = [];
  const layerCount = anatomy.layers.length;
  const kvPerLayer =
    layerCount > 0
      ? (anatomy.kvBytesPerToken[options.kvCacheType] * options.contextSize) / layerCount
      : 0;
  const expertShare = anatomy.expertCount > 0 ? anatomy.expertUsedCount / anatomy.expertCount : 1;
  const activeOf = (l: LayerBytes) =>
    l.attention + l.denseFfn + l.sharedExperts + l.norms + l.routedExperts * expertShare;
  const headBytes = Math.max(
    0,
    anatomy.totalBytes - anatomy.layers.map(layerTotal).reduce((a, b) => a + b, 0),
  );

  const budgets = workers.map((w) => budgetOf(w.hardware));
  const totalBudget = budgets.reduce((sum, b) => sum + b.bytes, 0) || 1;
  const tensorSplit = budgets.map((b) => round(b.bytes / totalBudget, 3));
  // Whole layers per worker, in order, by share (the last takes what rounding left).
  let next = 0;
  const ranges = tensorSplit.map((share, i) => {
    const count = i === workers.length - 1 ? layerCount - next : Math.round(layerCount * share);
    const range = anatomy.layers.slice(next, next + count);
    next += count;
    return range;
  });

  const headBudget = budgetOf(head);
  const boxes: SplitPlan["boxes"] = [
    {
      name: "head",
      role: "head",
      layers: 0,
      predictedBytes: Math.round(headBytes),
      budgetBytes: Math.round(headBudget.bytes),
      fits: headBytes <= headBudget.bytes,
      device: "cpu",
      link: null,
    },
    ...workers.map((worker, i) => {
      const layers = ranges[i] ?? [];
      const predicted = layers.reduce((sum, l) => sum + layerTotal(l) + kvPerLayer, 0);
      const budget = budgets[i] ?? { device: "cpu" as const, bytes: 0, bandwidthGBs: 60 };
      return {
        name: worker.name,
        role: "worker" as const,
        layers: layers.length,
        predictedBytes: Math.round(predicted),
        budgetBytes: Math.round(budget.bytes),
        fits: predicted <= budget.bytes,
        device: budget.device,
        link: worker.link,
      };
    }),
  ];
  for (const box of boxes)
    if (!box.fits)
      notes.push(
        agentText("split.note.tooBig", {
          box: box.name,
          needed: gigabytes(box.predictedBytes),
          budget: gigabytes(box.budgetBytes),
        }),
      );

  // Compute: each box reads its layers' active bytes per token, one box after another.
  const computeSeconds =
    anatomy.layers.length === 0
      ? 0
      : headBytes / (cpuBandwidthGBs(head.cpu) * 1e9) +
        ranges.reduce(
          (sum, layers, i) =>
            sum +
            layers.reduce((s, l) => s + activeOf(l), 0) / ((budgets[i]?.bandwidthGBs ?? 60) * 1e9),
          0,
        );
  // The links: a few round trips, and the activations (f32, one row) each way.
  const activationBytes = anatomy.embeddingLength * 4;
  const networkSeconds = workers.reduce((sum, worker) => {
    const link = worker.link ?? ASSUMED_LINK;
    if (!worker.link)
      notes.push(
        agentText("split.note.noProbe", { box: worker.name, reason: worker.problem ?? "?" }),
      );
    return (
      sum +
      (TRIPS_PER_TOKEN * link.latencyMs) / 1000 +
      (2 * activationBytes * 8) / (link.megabitsPerSecond * 1e6)
    );
  }, 0);
  const speed = (efficiency: number) =>
    round(1 / (computeSeconds / efficiency + networkSeconds), 2);
  const tokensPerSecond = { low: speed(EFFICIENCY.low), high: speed(EFFICIENCY.high) };

  const alone = planFit(anatomy, head, options);
  const singleFits = ["fitsInVram", "fitsInRam", "fitsWithOffload"].includes(alone.verdict);
  if (singleFits && alone.tokensPerSecond.high > tokensPerSecond.high)
    notes.push(
      agentText("split.note.singleBoxFaster", {
        single: alone.tokensPerSecond.high,
        split: tokensPerSecond.high,
        factor: round(alone.tokensPerSecond.high / Math.max(tokensPerSecond.high, 1e-9), 1),
      }),
    );
  const meanLatency =
    workers.reduce((sum, w) => sum + (w.link ?? ASSUMED_LINK).latencyMs, 0) /
    Math.max(1, workers.length);
  return {
    boxes,
    fits: boxes.every((box) => box.fits),
    tensorSplit,
    tokensPerSecond,
    networkSecondsPerToken: round(networkSeconds, 6),
    formula: agentText("split.formula", {
      effLow: EFFICIENCY.low,
      effHigh: EFFICIENCY.high,
      trips: TRIPS_PER_TOKEN,
      latency: `${round(meanLatency, 3)} ms`,
      activation: `${round(activationBytes / 1024, 1)} KiB`,
      network: `${round(networkSeconds * 1000, 3)} ms`,
    }),
    singleBox: { fits: singleFits, tokensPerSecond: alone.tokensPerSecond },
    notes,
  };
}
