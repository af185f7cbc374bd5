import type { Boxes } from "../boxes/Boxes.js";
import type { RpcWorker } from "../boxes/RpcWorker.js";
import { boxRoutes } from "./routes/boxRoutes.js";
import { readModelAnatomy } from "../catalog/readModelAnatomy.js";
import { planSplit } from "../planner/planSplit.js";
import {
  api,
  SESSION_COOKIE,
  type AgentStatus,
  type HardwareInfo,
  type SandboxStatus,
} from "@quantdeck/shared";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, setCookie } from "hono/cookie";
import { AgentError } from "../errors/AgentError.js";
import { internal, notFound } from "../errors/commonErrors.js";
import { anthropicRoutes } from "./anthropic/anthropicRoutes.js";
import { ollamaRoutes } from "./ollama/ollamaRoutes.js";
import { openaiRoutes } from "./openai/openaiRoutes.js";
import { serveRoute } from "./serveRoute.js";
import { hardwareRoutes } from "./routes/hardwareRoutes.js";
import { downloadRoutes } from "./routes/downloadRoutes.js";
import { settingsRoutes, type SettingsContext } from "./routes/settingsRoutes.js";
import { hubRoutes } from "./routes/hubRoutes.js";
import type { DownloadManager } from "../downloads/DownloadManager.js";
import { monitorRoutes } from "./routes/monitorRoutes.js";
import type { HubClient } from "../downloads/HubClient.js";
import { plannerRoutes } from "./routes/plannerRoutes.js";
import type { ResourceSampler } from "../monitor/ResourceSampler.js";
import { runtimeRoutes } from "./routes/runtimeRoutes.js";
import { compareRoutes } from "./routes/compareRoutes.js";
import { engineRoutes } from "./routes/engineRoutes.js";
import { qualityRoutes } from "./routes/qualityRoutes.js";
import type { EngineManager } from "../engines/EngineManager.js";
import type { QualityRuns } from "../quality/QualityRuns.js";
import type { QuantizeJobs } from "../quality/QuantizeJobs.js";
import type { CompareRunner } from "../compare/CompareRunner.js";
import type { Runtime } from "../runtime/Runtime.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiKeyStore } from "./security/ApiKeyStore.js";
import type { KeyConnections } from "./security/KeyConnections.js";
import { guardRequest, isAuthenticated, type GuardOptions } from "./security/requestGuard.js";
import { setPrincipal } from "./security/requestPrincipal.js";
import { keyRoutes } from "./routes/keyRoutes.js";
import { SESSION_MAX_AGE_SECONDS, type SessionStore } from "./security/SessionStore.js";
import { cookieValue, credentialsFromHeaders, tokensMatch } from "./security/tokens.js";
import { log, recentLogLines } from "../util/log.js";

export interface HttpAppDeps {
  guard: GuardOptions & { sessions?: SessionStore | undefined };
  /** Named API keys, and the connections each has open (revoking one closes them). */
  keys: { store: ApiKeyStore; connections: KeyConnections };
  agentVersion: string;
  protocolVersion: number;
  getStatus: () => AgentStatus;
  runtime: Runtime;
  probeHardware: () => Promise<HardwareInfo>;
  sampler: ResourceSampler;
  hub: HubClient;
  downloads: DownloadManager;
  settings: SettingsContext;
  compare: { runner: CompareRunner; sandbox: (refresh: boolean) => Promise<SandboxStatus> };
  engines: EngineManager;
  quantize: QuantizeJobs;
  quality: QualityRuns;
  boxes: Boxes;
  rpcWorker: RpcWorker;
  websocketClients: () => number;
}

/** Routes anyone on an allowed host may call: what a login page needs before it has a token. */
const PUBLIC_PATHS = new Set<string>([api.health.path, api.auth.path, api.login.path]);
const MAX_BODY_BYTES = 1024 * 1024;

export function createHttpApp(deps: HttpAppDeps) {
  const app = new Hono();

  app.use("*", async (c, next) => {
    const verdict = guardRequest(
      {
        host: c.req.header("host"),
        origin: c.req.header("origin"),
        authorization: c.req.header("authorization"),
        "x-api-key": c.req.header("x-api-key"),
        cookie: c.req.header("cookie"),
        "x-forwarded-host": c.req.header("x-forwarded-host"),
      },
      deps.guard,
      { requireToken: !PUBLIC_PATHS.has(c.req.path), method: c.req.method, path: c.req.path },
    );
    if (!verdict.ok) return c.json({ error: verdict.error }, verdict.status);
    setPrincipal(c, verdict.principal);
    if (verdict.principal.kind === "key") {
      const { key } = verdict.principal;
      deps.keys.store.recordRequest(key.id);
      const node = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
      if (node?.incoming && node.outgoing)
        deps.keys.connections.track(key.id, node.incoming, node.outgoing);
    }
    await next();
  });

  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AgentError({
          code: "payloadTooLarge",
          title: "The request is too large",
          hint: `Send at most ${MAX_BODY_BYTES / 1024} KiB.`,
        });
      },
    }),
  );

  serveRoute(app, api.health, () => ({
    ok: true as const,
    agentVersion: deps.agentVersion,
    protocolVersion: deps.protocolVersion,
  }));

  serveRoute(app, api.status, () => deps.getStatus());

  serveRoute(app, api.logs, ({ query }) => ({ lines: recentLogLines(query.lines) }));

  serveRoute(app, api.auth, (_, c) => {
    const credentials = credentialsFromHeaders({
      authorization: c.req.header("authorization"),
      cookie: c.req.header("cookie"),
    });
    return {
      required: deps.guard.token !== undefined,
      authenticated: isAuthenticated(credentials, deps.guard),
    };
  });

  serveRoute(app, api.login, ({ body }, c) => {
    const { token, sessions } = deps.guard;
    if (token !== undefined && !tokensMatch(body.token, token)) {
      throw new AgentError({
        code: "unauthorized",
        title: "That token is not correct",
        hint: "Copy the token from QUANTDECK_TOKEN on the agent's machine.",
      });
    }
    if (token !== undefined && sessions) {
      // A random session id, never the token. HttpOnly keeps scripts away from it;
      // SameSite=Strict keeps other sites from using it; it expires on its own.
      setCookie(c, SESSION_COOKIE, sessions.create(), {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
        maxAge: SESSION_MAX_AGE_SECONDS,
      });
    }
    return { required: token !== undefined, authenticated: true };
  });

  serveRoute(app, api.logout, (_, c) => {
    const session = cookieValue(c.req.header("cookie"), SESSION_COOKIE);
    if (session !== undefined) deps.guard.sessions?.revoke(session);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return { required: deps.guard.token !== undefined, authenticated: false };
  });

  runtimeRoutes(app, deps.runtime);
  hardwareRoutes(app, deps.probeHardware);
  plannerRoutes(app, deps.runtime, deps.probeHardware, deps.hub);
  hubRoutes(app, deps.hub);
  downloadRoutes(app, deps.downloads);
  settingsRoutes(app, deps.settings);
  monitorRoutes(
    app,
    deps.sampler,
    deps.runtime,
    () => deps.downloads.bytesTotal,
    deps.websocketClients,
    () => deps.keys.store.list(),
  );
  compareRoutes(app, deps.compare.runner, deps.compare.sandbox);
  engineRoutes(app, deps.engines);
  qualityRoutes(app, deps.quantize, deps.quality);
  boxRoutes(app, deps.boxes, deps.rpcWorker, async (request) => {
    const model = await deps.runtime.findModel(request.model);
    const [anatomy, head, workers] = await Promise.all([
      readModelAnatomy(model.path),
      deps.probeHardware(),
      Promise.all(request.workers.map((name) => deps.boxes.workerForPlan(name))),
    ]);
    return planSplit(anatomy, head, workers, request);
  });
  keyRoutes(app, deps.keys.store);
  openaiRoutes(app, deps.runtime);
  anthropicRoutes(app, deps.runtime);
  ollamaRoutes(app, deps.runtime);

  app.notFound((c) => {
    const error = notFound(
      `No such endpoint: ${c.req.method} ${c.req.path}`,
      "See the API section of the README.",
    );
    return c.json({ error: error.apiError }, error.status);
  });

  // Every error a client should see is an AgentError; anything else is the agent's own bug.
  app.onError((error, c) => {
    if (error instanceof AgentError) return c.json({ error: error.apiError }, error.status);
    log.error("request failed", { method: c.req.method, path: c.req.path, error: String(error) });
    return c.json({ error: internal().apiError }, 500);
  });

  return app;
}
