import { EventEmitter } from "node:events";
import type {
  CompareRun,
  DownloadJob,
  EngineStatus,
  GenerationEvent,
  MonitorSample,
  QualityRun,
  QuantizeJob,
} from "@quantdeck/shared";

/**
 * What the agent's modules announce, typed: created first in the composition root and handed
 * to each module, so none needs to know who listens (the WebSocket hub, a log, a test).
 */
export type AgentEventMap = {
  engine: [status: EngineStatus];
  generation: [event: GenerationEvent, ownerId: string | undefined];
  monitor: [sample: MonitorSample];
  downloads: [job: DownloadJob];
  compare: [run: CompareRun];
  quantize: [job: QuantizeJob];
  quality: [run: QualityRun];
};

export class AgentEvents extends EventEmitter<AgentEventMap> {}
