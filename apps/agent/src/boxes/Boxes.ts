import {
  ApiCallError,
  ApiClient,
  api,
  PROTOCOL_VERSION,
  type AddBoxRequest,
  type Box,
  type BoxCheck,
  type RpcStatus,
} from "@quantdeck/shared";
import { AgentError } from "../errors/AgentError.js";
import { isLoopbackHost } from "../api/security/hostChecks.js";
import type { Db } from "../store/openDatabase.js";
import type { SplitWorker } from "../planner/planSplit.js";
import type { RpcPlan } from "../runtime/engineMessages.js";
import { log } from "../util/log.js";
import { probeLink } from "./linkProbe.js";

type UpdateBox = Partial<{ name: string; url: string; token: string | null }>;

interface BoxRow {
  name: string;
  url: string;
  token: string | null;
  created_at: number;
}

/** How long a box has to answer a check: a dead one must not hold the dashboard up. */
const CHECK_TIMEOUT_MS = 5_000;
/** How long a worker has to start its RPC server. */
const RPC_TIMEOUT_MS = 30_000;

const unknownBox = (name: string) =>
  new AgentError({
    code: "unknownBox",
    title: `No box ${name.slice(0, 63)}`,
    hint: "List the boxes: quantdeck box ls, or Settings → Boxes.",
  });

const boxExists = (name: string) =>
  new AgentError({
    code: "boxExists",
    title: `A box named ${name} exists`,
    hint: "Pick another name, or change that box instead.",
  });

/**
 * The other agents this one manages ("boxes"): stored with their tokens (which never leave
 * this agent), checked on request, relayed to, and used as workers of a split model. Every
 * call to a box carries its token and a time limit.
 */
export class Boxes {
  private readonly checks = new Map<string, BoxCheck>();

  constructor(
    private readonly db: Db,
    /** Who this agent is to its workers (its hostname and data folder: the same after a restart). */
    private readonly headName: string,
  ) {}

  list(): Box[] {
    return this.rows().map((row) => this.view(row));
  }

  async add(request: AddBoxRequest): Promise<Box> {
    if (this.row(request.name)) throw boxExists(request.name);
    this.db
      .prepare("INSERT INTO boxes (name, url, token, created_at) VALUES (?, ?, ?, ?)")
      .run(request.name, normalizeUrl(request.url), request.token ?? null, Date.now());
    log.info("box added", { name: request.name });
    await this.test(request.name);
    return this.get(request.name);
  }

  get(name: string): Box {
    const row = this.row(name);
    if (!row) throw unknownBox(name);
    return this.view(row);
  }

  async update(name: string, change: UpdateBox): Promise<Box> {
    const row = this.row(name);
    if (!row) throw unknownBox(name);
    const next = {
      name: change.name ?? row.name,
      url: change.url !== undefined ? normalizeUrl(change.url) : row.url,
      token: change.token !== undefined ? change.token : row.token,
    };
    if (next.name !== name && this.row(next.name)) throw boxExists(next.name);
    this.db
      .prepare("UPDATE boxes SET name = ?, url = ?, token = ? WHERE name = ?")
      .run(next.name, next.url, next.token, name);
    this.checks.delete(name);
    await this.test(next.name);
    return this.get(next.name);
  }

  remove(name: string): void {
    if (!this.row(name)) throw unknownBox(name);
    this.db.prepare("DELETE FROM boxes WHERE name = ?").run(name);
    this.checks.delete(name);
    log.info("box removed", { name });
  }

  /** Tests every box at once (each within its time limit). */
  async testAll(): Promise<void> {
    await Promise.all(this.rows().map((row) => this.test(row.name)));
  }

  /** Reachable? Which protocol? Is the token right? What does it have and run? */
  async test(name: string): Promise<BoxCheck> {
    const row = this.row(name);
    if (!row) throw unknownBox(name);
    const client = this.client(row, CHECK_TIMEOUT_MS);
    const check: BoxCheck = {
      reachable: false,
      auth: "unknown",
      protocolVersion: null,
      compatible: false,
      hostname: null,
      problem: null,
      summary: null,
      checkedAt: new Date().toISOString(),
    };
    try {
      const health = await client.call(api.health);
      check.reachable = true;
      check.protocolVersion = health.protocolVersion;
      check.compatible = health.protocolVersion === PROTOCOL_VERSION;
      const status = await client.call(api.status);
      check.auth = "ok";
      check.hostname = status.hostname;
      const [hardware, runtime, monitor] = await Promise.all([
        client.call(api.hardware),
        client.call(api.runtime),
        // The newest sample only: the fleet view checks every box every 15 s.
        client.call(api.monitor, { query: { last: 1 } }),
      ]);
      check.summary = {
        cpu: hardware.cpu.model,
        ramBytes: hardware.memory.totalBytes,
        ramFreeBytes: hardware.memory.availableBytes,
        gpus: hardware.gpus.map((gpu) => ({
          name: gpu.name,
          vramBytes: gpu.vramTotalBytes,
          vramFreeBytes: gpu.vramFreeBytes,
        })),
        loadedModel: runtime.model?.id ?? null,
        tokensPerSecond: monitor.samples.at(-1)?.generation.tokensPerSecond ?? null,
      };
    } catch (error) {
      Object.assign(check, describeBoxFailure(error, row.token !== null));
    }
    if (!check.compatible && check.reachable && check.problem === null)
      check.problem = `It speaks protocol ${check.protocolVersion}; this agent speaks ${PROTOCOL_VERSION}: update the older one.`;
    this.checks.set(row.name, check);
    return check;
  }

  /** A client for a box's API, its token on every request; for the relay and the workers. */
  connection(name: string): { url: string; token: string | null } {
    const row = this.row(name);
    if (!row) throw unknownBox(name);
    return { url: row.url, token: row.token };
  }

  /**
   * Starts each worker's RPC server for this head and plans the split: each worker's share
   * from the memory it offers (VRAM, else free RAM). A worker that cannot is named.
   */
  async acquireWorkers(names: string[]): Promise<RpcPlan> {
    if (new Set(names).size !== names.length)
      throw new AgentError({
        code: "invalidLoadOptions",
        title: "A worker box is named twice",
        hint: "Name each box once.",
      });
    const started: string[] = [];
    try {
      const statuses: RpcStatus[] = [];
      for (const name of names) {
        const row = this.row(name);
        if (!row) throw unknownBox(name);
        const status = await this.client(row, RPC_TIMEOUT_MS)
          .call(api.startRpc, { body: { head: this.headName } })
          .catch((error: unknown) => {
            throw boxError(name, error, "start its RPC server");
          });
        started.push(name);
        // A worker bound to loopback is reachable only from its own machine, or through a
        // tunnel that forwards the same port: fine when this agent reaches it on loopback.
        const boxHost = new URL(row.url).hostname.replace(/^\[|\]$/g, "");
        if (isLoopbackHost(status.host) && !isLoopbackHost(boxHost))
          throw new AgentError({
            code: "rpcFailed",
            title: `Box ${name}'s RPC server listens on ${status.host} only`,
            hint: `Set QUANTDECK_RPC_HOST on ${name} to its address on the private link (e.g. ${boxHost}), or tunnel port ${status.port} as the README shows.`,
          });
        statuses.push(status);
      }
      const offered = statuses.map((s) => (s.freeVramBytes > 0 ? s.freeVramBytes : s.freeRamBytes));
      const total = offered.reduce((a, b) => a + b, 0) || 1;
      return {
        servers: statuses.map((s) => s.endpoint),
        tensorSplit: offered.map((bytes) => Math.round((bytes / total) * 1000) / 1000),
      };
    } catch (error) {
      await this.releaseWorkers(started);
      throw error;
    }
  }

  /**
   * What planning a split needs from a worker: its hardware, and the link measured over the
   * path its RPC traffic would take (a sink its agent opens on its RPC address).
   */
  async workerForPlan(name: string): Promise<SplitWorker> {
    const row = this.row(name);
    if (!row) throw unknownBox(name);
    const client = this.client(row, CHECK_TIMEOUT_MS);
    const hardware = await client.call(api.hardware).catch((error: unknown) => {
      throw boxError(name, error, "report its hardware");
    });
    try {
      const sink = await client.call(api.probeRpc);
      const boxHost = new URL(row.url).hostname.replace(/^\[|\]$/g, "");
      if (isLoopbackHost(sink.host) && !isLoopbackHost(boxHost))
        return { name, hardware, link: null, problem: `its RPC address is ${sink.host}` };
      return { name, hardware, link: await probeLink(sink.host, sink.port), problem: null };
    } catch (error) {
      return { name, hardware, link: null, problem: String(error).slice(0, 200) };
    }
  }

  /** Stops the workers' RPC servers (unload, a failed load, the agent stopping). */
  async releaseWorkers(names: string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const row = this.row(name);
        if (!row) return;
        await this.client(row, CHECK_TIMEOUT_MS)
          .call(api.stopRpc, { body: { head: this.headName } })
          .catch((error: unknown) =>
            log.warn("a worker's RPC server could not be stopped", { name, error: String(error) }),
          );
      }),
    );
  }

  /** What each worker's RPC server has received so far (0 for one that does not answer). */
  async receivedBytes(names: string[]): Promise<number[]> {
    return Promise.all(
      names.map(async (name) => {
        const row = this.row(name);
        if (!row) return 0;
        const status = await this.client(row, CHECK_TIMEOUT_MS)
          .call(api.rpcStatus)
          .catch(() => null);
        return status?.receivedBytes ?? 0;
      }),
    );
  }

  /** Which of the workers no longer answer, for an error that names them. */
  async unreachableWorkers(names: string[]): Promise<string[]> {
    const down = await Promise.all(
      names.map(async (name) => {
        const row = this.row(name);
        if (!row) return name;
        const status = await this.client(row, CHECK_TIMEOUT_MS)
          .call(api.rpcStatus)
          .catch(() => null);
        return status?.running && status.head === this.headName ? null : name;
      }),
    );
    return down.filter((name): name is string => name !== null);
  }

  private client(row: BoxRow, timeoutMs: number) {
    return new ApiClient({
      baseUrl: row.url,
      headers: (): Record<string, string> =>
        row.token ? { authorization: `Bearer ${row.token}` } : {},
      toError: (failure) => new ApiCallError(failure),
      fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    });
  }

  private rows(): BoxRow[] {
    return this.db.prepare("SELECT * FROM boxes ORDER BY name").all() as BoxRow[];
  }

  private row(name: string): BoxRow | undefined {
    return this.db.prepare("SELECT * FROM boxes WHERE name = ?").get(name) as BoxRow | undefined;
  }

  private view(row: BoxRow): Box {
    return {
      name: row.name,
      url: row.url,
      hasToken: row.token !== null,
      createdAt: new Date(row.created_at).toISOString(),
      check: this.checks.get(row.name) ?? null,
    };
  }
}

/** A base URL without a trailing slash, path, query or credentials. */
function normalizeUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.username || parsed.password)
    throw new AgentError({
      code: "badRequest",
      title: "A box's URL must not hold credentials",
      hint: "Give the token in its own field: it is stored apart and never shown.",
    });
  return parsed.origin;
}

/** A failed check, in a box's terms: unreachable, the token refused, or something else. */
function describeBoxFailure(error: unknown, hasToken: boolean): Partial<BoxCheck> {
  const failure = error instanceof ApiCallError ? error.failure : null;
  if (!failure || failure.kind === "unreachable")
    return {
      reachable: false,
      problem: `Not reachable: ${String(failure?.cause ?? error).slice(0, 200)}`,
    };
  if (failure.status === 401)
    return hasToken
      ? { auth: "wrong", problem: "The box refused the token." }
      : { auth: "missing", problem: "The box needs a token." };
  if (failure.kind === "rejected") return { problem: failure.error.title.slice(0, 300) };
  return { problem: `It answered ${failure.status}, not as a Quantdeck agent does.` };
}

/** A worker's failure as this agent's error, naming the box. */
export function boxError(name: string, error: unknown, doing: string): AgentError {
  if (error instanceof AgentError) return error;
  const failure = error instanceof ApiCallError ? error.failure : null;
  if (failure?.kind === "rejected" && failure.status === 401)
    return new AgentError({
      code: "boxUnauthorized",
      title: `Box ${name} refused this agent's token`,
      hint: `Update its token: quantdeck box add ${name} … --token, or Settings → Boxes.`,
    });
  if (failure?.kind === "rejected")
    return new AgentError({
      code: failure.error.code === "rpcBusy" ? "rpcBusy" : "rpcFailed",
      title: `Box ${name} could not ${doing}: ${failure.error.title}`.slice(0, 300),
      hint: failure.error.hint,
    });
  return new AgentError({
    code: "boxUnreachable",
    title: `Box ${name} cannot be reached to ${doing}`,
    hint: "Is its agent running, and is the link up? Test it: quantdeck box test.",
  });
}
