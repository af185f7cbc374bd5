import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import {
  PROTOCOL_VERSION,
  type AgentStatus,
  type ModelSummary,
  type SandboxStatus,
} from "@quantdeck/shared";
import packageJson from "../package.json" with { type: "json" };
import { createHttpApp } from "./api/createHttpApp.js";
import { CompareRunner } from "./compare/CompareRunner.js";
import { EngineBuilder } from "./engines/EngineBuilder.js";
import { EngineManager } from "./engines/EngineManager.js";
import { CompareStore } from "./compare/CompareStore.js";
import { detectSandbox } from "./compare/sandbox/detectSandbox.js";
import { startServer } from "./api/startServer.js";
import { WebSocketHub } from "./api/WebSocketHub.js";
import { AgentEvents } from "./AgentEvents.js";
import { SessionStore } from "./api/security/SessionStore.js";
import { ApiKeyStore } from "./api/security/ApiKeyStore.js";
import { KeyConnections } from "./api/security/KeyConnections.js";
import { keyOfOwner, keyOwner } from "./api/security/requestPrincipal.js";
import { DownloadManager } from "./downloads/DownloadManager.js";
import { DownloadStore } from "./downloads/DownloadStore.js";
import { HubClient } from "./downloads/HubClient.js";
import { openDatabase } from "./store/openDatabase.js";
import { SettingsStore } from "./store/SettingsStore.js";
import type { AgentConfig } from "./env.js";
import { cacheProbe } from "./hardware/cacheProbe.js";
import { detectNvidiaGpus } from "./hardware/detectNvidiaGpus.js";
import { probeHardware } from "./hardware/probeHardware.js";
import { readPhysicalCores } from "./hardware/readCpuCores.js";
import { demoModelPath, ensureDemoModel, hasAnyModel } from "./models/ensureDemoModel.js";
import { ModelRegistry, modelRoots, type LocalModel } from "./models/ModelRegistry.js";
import { ResourceSampler } from "./monitor/ResourceSampler.js";
import { readGgufHeader } from "./models/readGgufHeader.js";
import { EngineSupervisor } from "./runtime/EngineSupervisor.js";
import { GenerationQueue } from "./runtime/GenerationQueue.js";
import { Boxes } from "./boxes/Boxes.js";
import { isPrivateAddress } from "./api/security/hostChecks.js";
import { RpcWorker } from "./boxes/RpcWorker.js";
import { QualityRuns } from "./quality/QualityRuns.js";
import { QuantizeJobs } from "./quality/QuantizeJobs.js";
import { Runtime } from "./runtime/Runtime.js";
import { log } from "./util/log.js";
import type { Hono } from "hono";

const AGENT_VERSION = packageJson.version;
/** llama.cpp's source as node-llama-cpp ships it: the same version as the binding. */
const LLAMA_CPP_SOURCE = join(
  dirname(createRequire(import.meta.url).resolve("node-llama-cpp")),
  "..",
  "llama",
  "gitRelease.bundle",
);
const STATUS_INTERVAL_MS = 5_000;

/** A composed agent: its HTTP API for in-process requests, and the servers once it listens. */
export interface Agent {
  /** The HTTP API; `app.request()` calls it without a socket (in-process tests). */
  readonly app: Hono;
  /** The engine chosen at start. */
  readonly engine: string;
  readonly enginePid: () => number | undefined;
  /** Starts serving HTTP and the WebSocket at the configured host and port. */
  listen(): Promise<{ port: number }>;
  /** Stops everything it started: servers, timers, downloads, the engine, the database. */
  close(): Promise<void>;
}

/**
 * The composition root: configuration → modules → the HTTP app and WebSocket hub, read top
 * to bottom. Nothing listens until `listen()`; `close()` undoes it all.
 */
export async function createAgent(config: AgentConfig): Promise<Agent> {
  const startedAt = new Date();
  let demoModel: ModelSummary | null = null;
  if (
    !config.noDemoModel &&
    (existsSync(demoModelPath(config.dataDir)) || !(await hasAnyModel(config.modelsDir)))
  ) {
    demoModel = ensureDemoModel(config.dataDir);
    log.info("demo model ready", {
      file: demoModel.fileName,
      bytes: demoModel.sizeBytes,
      synthetic: true,
    });
  }
  const demoEntry: LocalModel | null = demoModel && {
    ...demoModel,
    path: demoModelPath(config.dataDir),
    files: [demoModelPath(config.dataDir)],
    header: await readGgufHeader(demoModelPath(config.dataDir)),
  };

  // First: every module announces through it; the WebSocket hub subscribes once it exists.
  const events = new AgentEvents();
  const db = openDatabase(join(config.dataDir, "quantdeck.db"));
  const settings = new SettingsStore(db);
  const supervisor = new EngineSupervisor(config.gpu === "off" ? false : "auto");
  const engines = new EngineManager(
    supervisor,
    new EngineBuilder(config.engineCacheDir, LLAMA_CPP_SOURCE),
    settings,
    config.engine,
    (status) => events.emit("engine", status),
    config.llamaServerPath,
  );
  const { choice, factory } = await engines.initialChoice();
  await supervisor.switchEngine(factory, choice);
  const registry = new ModelRegistry(
    () =>
      modelRoots(config.modelsDir, config.huggingFaceCache, [
        ...config.extraModelDirs,
        ...settings.get().extraModelDirs,
      ]),
    () => demoEntry,
  );
  const queue = new GenerationQueue(
    supervisor,
    (event, ownerId) => {
      runtime.observe(event);
      events.emit("generation", event, ownerId);
    },
    config.maxQueue,
  );
  // Other agents this one manages, and this one as a worker of another's split model.
  const boxes = new Boxes(db, `${hostname()} (${config.dataDir})`);
  if (!isPrivateAddress(config.rpc.host))
    log.warn(
      "llama.cpp's RPC will listen on a public address when a serving box asks: it has no authentication, and anyone who reaches the port can use this box's devices and read what they hold",
      { host: config.rpc.host, port: config.rpc.port },
    );
  const rpcWorker = new RpcWorker({
    host: config.rpc.host,
    port: config.rpc.port,
    cacheDir: join(config.dataDir, "rpc-cache"),
    threads: config.rpc.threads ?? readPhysicalCores(),
    serverPath: () => engines.tool("ggml-rpc-server"),
    freeVramBytes: async () =>
      (await detectNvidiaGpus()).gpus.reduce((sum, gpu) => sum + gpu.vramFreeBytes, 0),
  });
  const runtime = new Runtime(registry, supervisor, queue, readPhysicalCores(), boxes);

  const probe = cacheProbe(() =>
    probeHardware({
      modelsDir: config.modelsDir,
      dataDir: config.dataDir,
      engineView: () => supervisor.probeDevices(),
    }),
  );
  const sampler = new ResourceSampler(
    {
      enginePid: () => supervisor.enginePid ?? null,
      generation: () => ({ tokensTotal: queue.tokensTotal, ...queue.counts() }),
      // Only nvidia-smi's answer is needed here; the full probe (engine included) stays lazy.
      watchNvidiaGpus: (await detectNvidiaGpus()).gpus.length > 0,
    },
    (sample) => events.emit("monitor", sample),
  );

  const hubClient = new HubClient(
    config.hubEndpoint,
    () => settings.get().hubToken ?? config.hubToken,
  );
  const hubHost = new URL(config.hubEndpoint).hostname;
  // Downloads may follow the hub's redirects to its own CDNs, and nowhere else.
  const downloadHosts = {
    names: [hubHost, ...config.downloadHosts],
    domains: ["huggingface.co", "hf.co"],
  };
  const downloads = new DownloadManager(
    new DownloadStore(db),
    hubClient,
    config.modelsDir,
    config.downloads,
    downloadHosts,
    (job) => events.emit("downloads", job),
  );

  // Detecting the sandbox runs a few programs: once, again only when asked.
  let sandboxStatus: Promise<SandboxStatus> | null = null;
  const sandbox = (refresh = false) => {
    if (refresh || !sandboxStatus) sandboxStatus = detectSandbox();
    return sandboxStatus;
  };
  const compare = new CompareRunner(
    new CompareStore(db),
    runtime,
    config.dataDir,
    () => sandbox(),
    (run) => events.emit("compare", run),
  );

  const getStatus = (): AgentStatus => ({
    agentVersion: AGENT_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    hostname: hostname(),
    startedAt: startedAt.toISOString(),
    uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    authRequired: config.token !== undefined,
    demoModel,
  });

  // Where a user drops texts for quality runs; made so that it can be found.
  for (const dir of config.textDirs) mkdirSync(dir, { recursive: true });
  const quality = new QualityRuns({
    db,
    dir: join(config.dataDir, "quality"),
    textDirs: config.textDirs,
    threads: readPhysicalCores(),
    findModel: (id) => runtime.findModel(id),
    perplexityTool: () => engines.tool("llama-perplexity"),
    publish: (run) => events.emit("quality", run),
  });
  const quantize = new QuantizeJobs({
    modelsDir: config.modelsDir,
    threads: readPhysicalCores(),
    textDirs: config.textDirs,
    findModel: (id) => runtime.findModel(id),
    tool: (name) => engines.tool(name),
    publish: (job) => events.emit("quantize", { ...job }),
  });

  // Named API keys: a revoked key's open connections close and its generations stop at once.
  const keys = { store: new ApiKeyStore(db), connections: new KeyConnections() };
  keys.store.onRevoke((id) => {
    keys.connections.closeAll(id);
    queue.cancelOwnedBy(keyOwner(id));
  });
  events.on("generation", (event, ownerId) => {
    const keyId = keyOfOwner(ownerId);
    if (keyId && event.kind === "done") keys.store.addTokens(keyId, event.stats.generatedTokens);
  });
  const guard = {
    token: config.token,
    sessions: config.token === undefined ? undefined : new SessionStore(db, config.token),
    keys: keys.store,
    tokenRequired: config.token !== undefined,
    allowedHosts: [config.host, ...config.allowedHosts],
  };
  const hub = new WebSocketHub({
    guard,
    agentVersion: AGENT_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    snapshots: {
      status: getStatus,
      runtime: () => runtime.status(),
      monitor: () => sampler.history.latest,
      downloads: () => downloads.list(),
    },
    generations: {
      start: (message, ownerId) =>
        runtime.startGeneration(message.request, message.model, { ownerId }),
      cancel: (id) => queue.cancel(id),
      cancelOwnedBy: (ownerId) => queue.cancelOwnedBy(ownerId),
    },
    boxSocket: (name) => boxes.connection(name),
  });
  events.on("generation", (event, ownerId) => hub.publishGeneration(event, ownerId));
  events.on("monitor", (sample) => {
    if (hub.hasSubscribers("monitor")) hub.publish("monitor", sample);
  });
  sampler.start();
  events.on("downloads", (job) => hub.publish("downloads", job));
  downloads.restore();
  events.on("compare", (run) => hub.publish("compare", run));
  events.on("engine", (status) => hub.publish("engine", status));
  events.on("quantize", (job) => hub.publish("quantize", job));
  events.on("quality", (run) => hub.publish("quality", run));
  quality.restore();
  compare.restore();
  supervisor.on("status", () => hub.publish("runtime", runtime.status()));

  const app = createHttpApp({
    guard,
    keys,
    agentVersion: AGENT_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    getStatus,
    runtime,
    probeHardware: probe,
    sampler,
    hub: hubClient,
    downloads,
    settings: {
      store: settings,
      modelsDir: config.modelsDir,
      configuredModelDirs: config.extraModelDirs,
      hubEndpoint: config.hubEndpoint,
      environmentHubToken: config.hubToken,
    },
    compare: { runner: compare, sandbox },
    engines,
    quantize,
    quality,
    boxes,
    rpcWorker,
    websocketClients: () => hub.clientCount,
  });
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  let statusTimer: ReturnType<typeof setInterval> | undefined;
  return {
    app,
    engine: choice.kind,
    enginePid: () => supervisor.enginePid,
    async listen() {
      server = await startServer(app, hub, config.host, config.port);
      statusTimer = setInterval(() => {
        if (hub.hasSubscribers("status")) hub.publish("status", getStatus());
      }, STATUS_INTERVAL_MS);
      return { port: server.port };
    },
    async close() {
      clearInterval(statusTimer);
      sampler.stop();
      downloads.close();
      hub.close();
      await Promise.all([quantize.close(), quality.close(), runtime.close(), rpcWorker.close()]);
      await Promise.all([server?.close(), supervisor.stop()]);
      keys.store.close();
      db.close();
    },
  };
}
