import type {
  ApiError,
  GenerationStats,
  MemoryFigures,
  ResolvedLoadOptions,
  RuntimeWarning,
  Sampling,
} from "@quantdeck/shared";

/**
 * Messages between the agent and its engine process (IPC, same version on both ends, so
 * plain types rather than schemas). Every request carries an id its reply repeats.
 */
/** A turn as every chat template knows it (tool turns are rendered before an engine sees them). */
export interface PlainMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What a model is given: a conversation (rendered by its template) or text as is. */
export type EnginePrompt =
  { mode: "chat"; messages: PlainMessage[] } | { mode: "raw"; text: string };

/** Worker boxes' RPC servers a split model uses (`--rpc`), and each one's share (`--tensor-split`). */
export interface RpcPlan {
  servers: string[];
  /** In `servers`' order, from the memory each worker offers. */
  tensorSplit: number[];
}

export type EngineRequest =
  | {
      type: "load";
      id: string;
      modelPath: string;
      options: ResolvedLoadOptions;
      gpu: GpuMode;
      /** Worker boxes' RPC servers and their shares (llama-server only). */
      rpc: RpcPlan | null;
    }
  | { type: "unload"; id: string }
  | {
      type: "generate";
      id: string;
      prompt: EnginePrompt;
      sampling: Required<Pick<Sampling, "temperature" | "minP" | "seed" | "maxTokens">> & Sampling;
      /** Return the token ids the model was given (for tests and prompt inspection). */
      returnPromptTokens?: boolean;
      /**
       * Special tokens whose text stays in the output (engines drop special tokens' text):
       * the markers a tool format reads calls by.
       */
      preservedTokens?: string[];
    }
  | { type: "cancel"; id: string }
  /** How many tokens the prompt is for the loaded model, template and BOS included. */
  | { type: "countTokens"; id: string; prompt: EnginePrompt }
  /** What llama.cpp sees of the machine's GPUs. */
  | { type: "probe"; id: string; gpu: GpuMode };

export type GpuMode = "auto" | false;

export interface LoadedInfo {
  architecture: string;
  name: string;
  trainContextSize: number;
  layers: number;
  chatFormat: string;
  contextSize: number;
  predicted: MemoryFigures;
  actual: MemoryFigures;
  bosTokenId: number | null;
  /** What the engine could not do as asked, though the model loaded. */
  warnings: RuntimeWarning[];
}

export type EngineEvent =
  | { type: "ready" }
  | { type: "loadProgress"; id: string; progress: number }
  | { type: "loaded"; id: string; info: LoadedInfo }
  | { type: "unloaded"; id: string }
  /** Decoded text, and the tokens sampled since the last text event (some hold no whole character). */
  | { type: "text"; id: string; text: string; tokens: number }
  | {
      type: "generated";
      id: string;
      text: string;
      stats: GenerationStats;
      promptTokenIds?: number[];
    }
  | { type: "probed"; id: string; view: EngineDeviceView }
  | { type: "counted"; id: string; tokens: number }
  | { type: "failed"; id: string; error: ApiError };

export interface EngineDeviceView {
  gpuType: string | null;
  devices: string[];
  vramTotalBytes: number;
  vramFreeBytes: number;
}
