import type { EngineKind } from "@quantdeck/shared";
import type { EngineEvent, EngineRequest } from "../runtime/engineMessages.js";

// Each engine's capabilities (ENGINE_CAPABILITIES) are part of the protocol, in
// packages/shared: the dashboard's load form offers only what the serving engine has.

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
