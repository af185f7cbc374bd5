import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection } from "node:net";
import { freemem } from "node:os";
import type { RpcStatus } from "@quantdeck/shared";
import { AgentError } from "../errors/AgentError.js";
import { log } from "../util/log.js";
import { openProbeSink } from "./linkProbe.js";

export interface RpcWorkerDeps {
  /** Where it listens: QUANTDECK_RPC_HOST (checked at start-up) and QUANTDECK_RPC_PORT. */
  host: string;
  port: number;
  /** Its tensor cache (`-c`): tensors a head sent once are not sent again. */
  cacheDir: string;
  threads: number;
  /** Where ggml-rpc-server is (throws toolMissing when it is not built). */
  serverPath(): string;
  /** Free VRAM, for the head's split (0 on a CPU box). */
  freeVramBytes(): Promise<number>;
}

/** How long ggml-rpc-server has to start listening. */
const LISTEN_TIMEOUT_MS = 20_000;
const KILL_AFTER_MS = 3_000;

/**
 * This box as a worker of another one's split model: llama.cpp's ggml-rpc-server, started
 * when a head asks and only then, bound only to the configured address, for one head at a
 * time (the protocol has no authentication and no isolation between clients), and
 * stopped when the head is done or the agent stops.
 */
export class RpcWorker {
  private server: { child: ChildProcess; head: string; startedAt: string } | null = null;

  constructor(private readonly deps: RpcWorkerDeps) {}

  async status(): Promise<RpcStatus> {
    return {
      running: this.server !== null,
      host: this.deps.host,
      port: this.deps.port,
      endpoint: `${this.deps.host.includes(":") ? `[${this.deps.host}]` : this.deps.host}:${this.deps.port}`,
      head: this.server?.head ?? null,
      freeRamBytes: freemem(),
      freeVramBytes: await this.deps.freeVramBytes().catch(() => 0),
      startedAt: this.server?.startedAt ?? null,
      receivedBytes: this.server ? await readReceivedBytes(this.deps.port) : 0,
    };
  }

  /** Starts the server for `head`; the same head asking again gets the running one. */
  async start(head: string): Promise<RpcStatus> {
    if (this.server && this.server.head !== head)
      throw new AgentError({
        code: "rpcBusy",
        title: `This box's RPC server works for ${this.server.head.slice(0, 200)}`,
        hint: "A worker serves one head at a time: unload the model there first.",
      });
    if (!this.server) {
      const path = this.deps.serverPath();
      mkdirSync(this.deps.cacheDir, { recursive: true });
      const child = spawn(
        path,
        [
          ...["-H", this.deps.host, "-p", String(this.deps.port)],
          ...["-t", String(this.deps.threads), "-c"],
        ],
        // llama.cpp puts its cache under LLAMA_CACHE/rpc.
        {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, LLAMA_CACHE: this.deps.cacheDir },
        },
      );
      let output = "";
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      const server = { child, head, startedAt: new Date().toISOString() };
      this.server = server;
      child.once("exit", (code, signal) => {
        if (this.server === server) this.server = null;
        log.info("rpc server exited", {
          head,
          code: code ?? undefined,
          signal: signal ?? undefined,
        });
      });
      try {
        await this.listening(child);
      } catch (error) {
        await this.stopChild(child);
        if (this.server === server) this.server = null;
        throw new AgentError({
          code: "rpcFailed",
          title: `ggml-rpc-server did not start on ${this.deps.host}:${this.deps.port}: ${String(error).slice(0, 200)}`,
          hint: `Is the port taken? Its last words: ${output.trim().split("\n").slice(-2).join(" / ").slice(0, 300)}`,
        });
      }
      log.info("rpc server started", { head, host: this.deps.host, port: this.deps.port });
    }
    return this.status();
  }

  /** Stops the server if `head` (or anyone, when absent) holds it. */
  async stop(head?: string): Promise<RpcStatus> {
    const server = this.server;
    if (server && (head === undefined || server.head === head)) {
      this.server = null;
      await this.stopChild(server.child);
      log.info("rpc server stopped", { head: server.head });
    }
    return this.status();
  }

  /** A one-shot sink on the RPC address, for a head to measure the link RPC traffic takes. */
  probeSink(): Promise<{ host: string; port: number }> {
    return openProbeSink(this.deps.host);
  }

  close(): Promise<RpcStatus> {
    return this.stop();
  }

  /** Resolves once the port accepts a connection; rejects if the server exits first. */
  private listening(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + LISTEN_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      let exited = false;
      child.once("exit", (code) => {
        exited = true;
        reject(new Error(`it exited with code ${code}`));
      });
      const attempt = () => {
        if (exited) return;
        const socket = createConnection({ host: this.deps.host, port: this.deps.port });
        socket.once("connect", () => {
          socket.destroy();
          resolve();
        });
        socket.once("error", () => {
          socket.destroy();
          if (Date.now() > deadline) reject(new Error("it is not listening"));
          else setTimeout(attempt, 100);
        });
      };
      attempt();
    });
  }

  private stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
}

/**
 * What the RPC server's connections have received, from the kernel's TCP counters
 * (`ss -ti`, iproute2): the tensors a head sends arrive this way. 0 where ss is missing.
 */
function readReceivedBytes(port: number): Promise<number> {
  return new Promise((resolve) =>
    execFile("ss", ["-tinH", `( sport = :${port} )`], { timeout: 3_000 }, (error, stdout) => {
      if (error) return resolve(0);
      let total = 0;
      for (const match of stdout.matchAll(/bytes_received:(\d+)/g)) total += Number(match[1]);
      resolve(total);
    }),
  );
}
