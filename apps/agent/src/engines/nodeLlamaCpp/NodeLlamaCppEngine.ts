import { fork, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { tiedToAgent } from "../../util/tiedToAgent.js";
import type { Engine } from "../Engine.js";
import type { EngineEvent, EngineRequest } from "../../runtime/engineMessages.js";
import { bundledFile } from "../../util/bundledFile.js";

/** The built worker sits next to the built agent (both bundled into dist/). */
const WORKER_ENTRY = bundledFile("engineWorker.js");

/**
 * The first engine: node-llama-cpp in a child process of its own (the worker, the only code
 * that loads native llama.cpp), so a bad file or a driver fault kills only that process.
 * Emits every `EngineEvent` as "event", and "exit" once with the exit code or signal. It
 * never throws at the agent: a dead engine is an event.
 */
export class NodeLlamaCppEngine
  extends EventEmitter<{
    event: [EngineEvent];
    exit: [code: number | null, signal: string | null];
  }>
  implements Engine
{
  readonly kind = "node-llama-cpp";
  private readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private exited = false;

  constructor() {
    super();
    // fork() runs `execPath ...execArgv module`: through setpriv, so the engine dies with us.
    const [execPath, execArgv] = tiedToAgent(process.execPath, process.execArgv);
    this.child = fork(WORKER_ENTRY, [], {
      execPath,
      execArgv,
      // Each decode is a libuv pool job; with the default 4 pool threads they hop between
      // threads and decode runs at 0.57–0.72x of llama-bench (0.91–0.96x with 1; measured).
      // It must be set before the process starts.
      env: { ...process.env, UV_THREADPOOL_SIZE: "1" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.ready = new Promise((resolve, reject) => {
      const onEvent = (event: EngineEvent) => {
        if (event.type === "ready") {
          this.off("event", onEvent);
          resolve();
        }
      };
      this.on("event", onEvent);
      this.once("exit", (code, signal) =>
        reject(new Error(`engine exited during start (${code ?? signal})`)),
      );
    });
    this.ready.catch(() => undefined);
    this.child.on("message", (event: EngineEvent) => this.emit("event", event));
    this.child.once("exit", (code, signal) => {
      this.exited = true;
      this.emit("exit", code, signal);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(request: EngineRequest): void {
    if (!this.exited && this.child.connected) this.child.send(request);
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (!this.exited) this.child.kill(signal);
  }
}
