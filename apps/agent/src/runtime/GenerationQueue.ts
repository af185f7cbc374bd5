import { randomUUID } from "node:crypto";
import {
  DEFAULT_SAMPLING,
  type GenerationEvent,
  type GenerationRequest,
  type GenerationResult,
} from "@quantdeck/shared";
import type { EngineSupervisor } from "./EngineSupervisor.js";
import { preparePrompt } from "./tools/toolPrompt.js";
import type { ToolPiece } from "./tools/ToolOutputReader.js";
import type { AgentError } from "../errors/AgentError.js";
import { busy, cancelled, generationFailed, modelNotLoaded } from "../errors/commonErrors.js";

interface Job {
  id: string;
  ownerId: string | undefined;
  request: GenerationRequest;
  returnPromptTokens: boolean;
  engineId?: string;
  /** Tokens already counted into `tokensTotal` from text events. */
  tokensCounted: number;
  resolve: (result: GenerationResult & { promptTokenIds?: number[] }) => void;
  reject: (error: AgentError) => void;
}

export interface SubmitOptions {
  /** The connection that started it: it is told everything, and closing it cancels. */
  ownerId?: string;
  returnPromptTokens?: boolean;
}

/**
 * A bounded queue in front of the engine: as many generations run as the loaded model has
 * parallel slots, up to `maxWaiting` wait, and beyond that callers get a `busy` error with
 * a retry hint. Every event goes to `publish`, tagged with its owner.
 */
export class GenerationQueue {
  private readonly waiting: Job[] = [];
  private readonly running = new Map<string, Job>();
  /** Tokens generated since the agent started: a counter for the monitor and /metrics. */
  tokensTotal = 0;
  /** Generations finished since the agent started, by how they ended. */
  readonly finished = { done: 0, failed: 0 };

  constructor(
    private readonly supervisor: EngineSupervisor,
    private readonly publish: (event: GenerationEvent, ownerId: string | undefined) => void,
    private readonly maxWaiting = 16,
  ) {}

  counts() {
    return {
      running: this.running.size,
      waiting: this.waiting.length,
      capacity: this.supervisor.loadedModel?.options.parallel ?? 0,
    };
  }

  submit(request: GenerationRequest, options: SubmitOptions = {}) {
    if (this.waiting.length >= this.maxWaiting) throw busy(this.waiting.length);
    const id = randomUUID();
    let resolve!: Job["resolve"];
    let reject!: Job["reject"];
    const result = new Promise<GenerationResult & { promptTokenIds?: number[] }>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => undefined); // callers that only watch events need not handle it
    const job: Job = {
      id,
      tokensCounted: 0,
      ownerId: options.ownerId,
      request,
      returnPromptTokens: options.returnPromptTokens ?? false,
      resolve,
      reject,
    };
    this.waiting.push(job);
    // On the next turn, so the caller can tell its client the id before any event for it.
    setImmediate(() => {
      if (!this.waiting.includes(job)) return;
      this.publish(
        { kind: "queued", generationId: id, position: this.waiting.indexOf(job) + 1 },
        job.ownerId,
      );
      this.pump();
      this.supervisor.emit("status");
    });
    return { id, result };
  }

  /** Cancels a waiting or running generation; a running one ends with its partial text. */
  cancel(generationId: string): boolean {
    const index = this.waiting.findIndex((job) => job.id === generationId);
    if (index >= 0) {
      const [job] = this.waiting.splice(index, 1);
      if (job) this.fail(job, cancelled());
      this.supervisor.emit("status");
      return true;
    }
    const job = this.running.get(generationId);
    if (job?.engineId) this.supervisor.cancel(job.engineId);
    return job !== undefined;
  }

  cancelOwnedBy(ownerId: string): void {
    for (const job of [...this.waiting, ...this.running.values()])
      if (job.ownerId === ownerId) this.cancel(job.id);
  }

  private pump(): void {
    const capacity = Math.max(1, this.supervisor.loadedModel?.options.parallel ?? 1);
    while (this.running.size < capacity && this.waiting.length > 0) {
      const job = this.waiting.shift();
      if (job) this.start(job);
    }
  }

  private start(job: Job): void {
    const model = this.supervisor.loadedModel;
    if (!model) {
      this.fail(job, modelNotLoaded());
      return;
    }
    this.running.set(job.id, job);
    this.publish(
      { kind: "started", generationId: job.id, modelId: model.id, mode: job.request.mode },
      job.ownerId,
    );
    const { prompt, sampling, reader, preservedTokens } = preparePrompt(job.request, model);
    // The answer's text and its tool calls, as the reader tells them apart.
    const publishPieces = (pieces: ToolPiece[]) => {
      for (const piece of pieces)
        this.publish(
          piece.kind === "text"
            ? { kind: "text", generationId: job.id, text: piece.text }
            : { ...piece, kind: "toolCall", generationId: job.id },
          job.ownerId,
        );
    };
    const { id: engineId, done } = this.supervisor.generate(
      {
        prompt,
        sampling: { ...DEFAULT_SAMPLING, ...sampling },
        returnPromptTokens: job.returnPromptTokens,
        ...(preservedTokens && { preservedTokens }),
      },
      (text, tokens) => {
        this.tokensTotal += tokens;
        job.tokensCounted += tokens;
        publishPieces(reader ? reader.push(text) : [{ kind: "text", text }]);
      },
    );
    job.engineId = engineId;
    done
      .then((outcome) => {
        // Tokens that never reached a text event (an unfinished character at the end).
        this.tokensTotal += Math.max(0, outcome.stats.generatedTokens - job.tokensCounted);
        this.finished.done++;
        const answer = reader?.end();
        if (answer) publishPieces(answer.pieces);
        const text = answer ? answer.text : outcome.text;
        const toolCalls = answer?.toolCalls.length ? { toolCalls: answer.toolCalls } : {};
        this.publish(
          { kind: "done", generationId: job.id, text, ...toolCalls, stats: outcome.stats },
          job.ownerId,
        );
        job.resolve({
          generationId: job.id,
          text,
          ...toolCalls,
          stats: outcome.stats,
          promptTokenIds: outcome.promptTokenIds,
        });
      })
      .catch((error: unknown) => this.fail(job, generationFailed(error)))
      .finally(() => {
        this.running.delete(job.id);
        this.pump();
        this.supervisor.emit("status");
      });
  }

  private fail(job: Job, error: AgentError): void {
    this.finished.failed++;
    this.publish({ kind: "failed", generationId: job.id, error: error.apiError }, job.ownerId);
    job.reject(error);
  }
}
