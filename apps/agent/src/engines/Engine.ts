import type { EngineChoice } from "@quantdeck/shared";
import type { EngineEvent, EngineRequest } from "../runtime/engineMessages.js";

/** What an engine can do beyond loading a model and streaming its answers. */
export interface EngineCapabilities {
  /** Keeps MoE experts of some layers in RAM while the rest uses the GPU (`--n-cpu-moe`). */
  expertsOnCpu: boolean;
  /** Returns the token ids a prompt became, for tests and prompt inspection. */
  promptTokenIds: boolean;
  /** Serves several generations at once, one slot each. */
  parallelSlots: boolean;
}

export type EngineKind = EngineChoice["kind"];

/** Each engine's capabilities, known before one is started (a load plan needs them). */
export const ENGINE_CAPABILITIES: Record<EngineKind, EngineCapabilities> = {
  "node-llama-cpp": { expertsOnCpu: false, promptTokenIds: true, parallelSlots: true },
  "llama-server": { expertsOnCpu: true, promptTokenIds: false, parallelSlots: true },
};

/**
 * An inference engine as the supervisor drives it: requests in, events out (the messages of
 * engineMessages.ts), an exit when it dies. Two adapters implement it: node-llama-cpp in a
 * process of its own, and llama.cpp's llama-server.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** Settles once the engine takes requests (rejects if it dies first). */
  readonly ready: Promise<void>;
  readonly pid: number | undefined;
  readonly alive: boolean;
  send(request: EngineRequest): void;
  kill(signal?: NodeJS.Signals): void;
  on(name: "event", listener: (event: EngineEvent) => void): unknown;
  once(name: "exit", listener: (code: number | null, signal: string | null) => void): unknown;
}

export type EngineFactory = () => Engine;
