import { setPriority } from "node:os";
import type { ProcessPriority, ResolvedLoadOptions, RuntimeWarning } from "@quantdeck/shared";
import {
  GgmlType,
  GgufInsights,
  readGgufFileInfo,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from "node-llama-cpp";
import type { LoadedInfo } from "../../../runtime/engineMessages.js";
import { chatFormatOf, resolveChatWrapperFor } from "./chatPrompt.js";

/** llama.cpp's --prio levels as Unix nice values (raising needs privileges; failure is reported). */
const niceOf: Record<ProcessPriority, number> = { normal: 0, medium: -5, high: -10, realtime: -19 };

const kvType = { f16: "F16", q8_0: "Q8_0", q4_0: "Q4_0" } as const;
const kvGgmlType = { f16: GgmlType.F16, q8_0: GgmlType.Q8_0, q4_0: GgmlType.Q4_0 } as const;

export interface LoadedEngineModel {
  model: LlamaModel;
  context: LlamaContext;
  info: LoadedInfo;
  chatWrapper: ReturnType<typeof resolveChatWrapperFor>;
}

/** Loads a model and its context with the recipe's knobs; measures memory before and after. */
export async function loadModel(
  llama: Llama,
  modelPath: string,
  options: ResolvedLoadOptions,
  onProgress: (progress: number) => void,
): Promise<LoadedEngineModel> {
  const warnings: RuntimeWarning[] = [];
  try {
    setPriority(niceOf[options.priority]);
  } catch {
    warnings.push({
      code: "priorityNotSet",
      title: `Could not raise the engine's priority to ${options.priority}`,
      hint: "A higher priority needs privileges (root, or CAP_SYS_NICE); the model runs at normal priority.",
    });
  }

  const fileInfo = await readGgufFileInfo(modelPath, { readTensorInfo: true });
  const insights = await GgufInsights.from(fileInfo, llama);
  const gpuLayers =
    typeof options.gpuLayers === "number"
      ? options.gpuLayers
      : llama.gpu
        ? insights.totalLayers
        : 0;
  const modelEstimate = await insights.estimateModelResourceRequirementsV2({
    gpuLayers,
    useMmap: options.useMmap,
  });
  const contextEstimate = await insights.estimateContextResourceRequirementsV2({
    contextSize: options.contextSize,
    modelGpuLayers: gpuLayers,
    batchSize: options.batchSize,
    sequences: options.parallel,
    flashAttention: options.flashAttention,
    kvCacheKeyType: kvGgmlType[options.kvCacheKeyType],
    kvCacheValueType: kvGgmlType[options.kvCacheValueType],
  });

  const ramBefore = process.memoryUsage().rss;
  const vramBefore = llama.gpu ? (await llama.getVramState()).used : 0;
  const model = await llama.loadModel({
    modelPath,
    gpuLayers: options.gpuLayers,
    useMmap: options.useMmap,
    useMlock: options.useMlock,
    onLoadProgress: onProgress,
  });
  let context: LlamaContext;
  try {
    context = await model.createContext({
      contextSize: options.contextSize,
      sequences: options.parallel,
      threads: options.threads,
      batchSize: options.batchSize,
      flashAttention: options.flashAttention,
      experimentalKvCacheKeyType: kvType[options.kvCacheKeyType],
      experimentalKvCacheValueType: kvType[options.kvCacheValueType],
    });
  } catch (error) {
    await model.dispose();
    throw error;
  }
  const ramAfter = process.memoryUsage().rss;
  const vramAfter = llama.gpu ? (await llama.getVramState()).used : 0;

  const chatWrapper = resolveChatWrapperFor(model);
  const architecture = fileInfo.metadata.general.architecture ?? "unknown";
  return {
    model,
    context,
    chatWrapper,
    info: {
      warnings,
      architecture,
      name: fileInfo.metadata.general.name ?? "",
      trainContextSize: model.trainContextSize,
      layers: insights.totalLayers,
      chatFormat: chatFormatOf(chatWrapper),
      contextSize: context.contextSize,
      predicted: {
        ramBytes: modelEstimate.cpuRam + contextEstimate.cpuRam,
        vramBytes: modelEstimate.gpuVram + contextEstimate.gpuVram,
      },
      actual: {
        ramBytes: Math.max(0, ramAfter - ramBefore),
        vramBytes: Math.max(0, vramAfter - vramBefore),
      },
      bosTokenId: model.tokens.bos,
    },
  };
}
