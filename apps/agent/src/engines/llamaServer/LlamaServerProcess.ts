import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { tiedToAgent } from "../../util/tiedToAgent.js";
import { LlamaServerClient } from "./llamaServerClient.js";

const HEALTH_POLL_MS = 100;
const LOG_LINES_KEPT = 30;

/**
 * One llama-server process: started on a free loopback port (tied to the agent, so it dies
 * with it), its last log lines kept for errors, healthy once `/health` answers.
 */
export class LlamaServerProcess {
  readonly client: LlamaServerClient;
  private readonly logTail: string[] = [];

  private constructor(
    readonly child: ChildProcess,
    port: number,
  ) {
    this.client = new LlamaServerClient(`http://127.0.0.1:${port}`);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        this.logTail.push(line.slice(0, 300));
        if (this.logTail.length > LOG_LINES_KEPT) this.logTail.shift();
      }
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("error", (error) => this.logTail.push(`could not start: ${error.message}`));
  }

  /** Starts `serverPath` with `args(port)` on a port that was free a moment ago. */
  static async start(serverPath: string, args: (port: number) => string[]) {
    const port = await freePort();
    const child = spawn(...tiedToAgent(serverPath, args(port)), {
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new LlamaServerProcess(child, port);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last lines it printed, for an error's detail. */
  lastLines(count = 4): string {
    return this.logTail.slice(-count).join(" | ");
  }

  /** Resolves once it answers /health; rejects, with its last lines, if it exits first. */
  async healthy(): Promise<void> {
    const ended = new Promise<never>((_, reject) =>
      this.child.once("exit", (code, signal) =>
        reject(
          new Error(`llama-server stopped while loading (${code ?? signal}): ${this.lastLines()}`),
        ),
      ),
    );
    ended.catch(() => undefined);
    const poll = async () => {
      while (!this.exited && !(await this.client.health()))
        await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
    };
    await Promise.race([poll(), ended]);
    if (this.exited) await ended;
  }

  /** Whether it has ended, or ends within a second (a dropped stream comes before the exit). */
  exitsSoon(): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  stop(signal: NodeJS.Signals = "SIGTERM"): void {
    this.child.kill(signal);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
