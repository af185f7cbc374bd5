import { z } from "zod";
import {
  compareRunSchema,
  compareRunsQuerySchema,
  compareRunsResponseSchema,
  sandboxStatusSchema,
  startCompareRequestSchema,
} from "../protocol/compare";
import {
  downloadJobSchema,
  downloadsResponseSchema,
  startDownloadRequestSchema,
} from "../protocol/downloads";
import {
  addBoxRequestSchema,
  boxCheckSchema,
  boxSchema,
  probeSinkSchema,
  rpcRequestSchema,
  splitPlanRequestSchema,
  splitPlanSchema,
  rpcStatusSchema,
  updateBoxRequestSchema,
} from "../protocol/boxes";
import { hardwareInfoSchema } from "../protocol/hardware";
import { apiKeysResponseSchema, createdKeySchema, createKeyRequestSchema } from "../protocol/keys";
import { localModelsResponseSchema, quantMixSchema } from "../protocol/models";
import { quantizeJobSchema, quantizePlanSchema, quantizeRequestSchema } from "../protocol/quantize";
import {
  evaluationTextsSchema,
  qualityPlanSchema,
  qualityRunRequestSchema,
  qualityRunSchema,
} from "../protocol/quality";
import { monitorHistorySchema } from "../protocol/monitor";
import {
  catalogResponseSchema,
  fitPlanSchema,
  hubRepoResponseSchema,
  planRequestSchema,
} from "../protocol/planner";
import {
  benchResultSchema,
  enginePreferenceSchema,
  engineStatusSchema,
  generationRequestSchema,
  generationResultSchema,
  loadedModelSchema,
  loadRequestSchema,
  runtimeStatusSchema,
} from "../protocol/runtime";
import { settingsResponseSchema, updateSettingsRequestSchema } from "../protocol/settings";
import {
  agentStatusSchema,
  authStateSchema,
  healthResponseSchema,
  loginRequestSchema,
  logsResponseSchema,
} from "../protocol/status";
import { defineRoute } from "./route";

const idParams = z.object({ id: z.string().min(1).max(200) });
const deletedSchema = z.object({ deleted: z.string() });

/** POST /api/runtime/generate: the whole answer in one response. */
const httpGenerateRequestSchema = z.object({
  /** Loads this model first when another (or none) is loaded. */
  model: z.string().min(1).max(1024).optional(),
  request: generationRequestSchema,
  /** Return the token ids the model was given (prompt inspection, tests). */
  returnPromptTokens: z.boolean().optional(),
});

/**
 * The agent's HTTP API, every JSON endpoint and the file ones, declared once. The agent
 * registers its handlers from it, and the dashboard, the CLI and the tests call it through
 * `ApiClient`; a path, method or schema changed here changes for all of them.
 * The OpenAI-compatible /v1 endpoints follow OpenAI's API instead and live in the agent.
 */
export const api = {
  health: defineRoute({ method: "GET", path: "/api/health", response: healthResponseSchema }),
  status: defineRoute({ method: "GET", path: "/api/status", response: agentStatusSchema }),
  /** The agent's last log lines, oldest first. */
  logs: defineRoute({
    method: "GET",
    path: "/api/logs",
    query: z.object({ lines: z.coerce.number().int().min(1).max(1000).default(200) }),
    response: logsResponseSchema,
  }),

  auth: defineRoute({ method: "GET", path: "/api/auth", response: authStateSchema }),
  login: defineRoute({
    method: "POST",
    path: "/api/auth/login",
    body: loginRequestSchema,
    response: authStateSchema,
  }),
  logout: defineRoute({ method: "POST", path: "/api/auth/logout", response: authStateSchema }),

  models: defineRoute({ method: "GET", path: "/api/models", response: localModelsResponseSchema }),
  /** Removes a model's files from the models folder. */
  deleteModel: defineRoute({
    method: "DELETE",
    path: "/api/models",
    query: z.object({ id: z.string().min(1).max(1024) }),
    response: deletedSchema,
  }),

  /** What is inside a model on disk: bytes per tensor type and role, from its headers. */
  modelMix: defineRoute({
    method: "GET",
    path: "/api/models/mix",
    query: z.object({ id: z.string().min(1).max(1024) }),
    response: quantMixSchema,
  }),

  /** Quantize jobs, newest first. */
  quantizeJobs: defineRoute({
    method: "GET",
    path: "/api/quantize",
    response: z.object({ jobs: z.array(quantizeJobSchema) }),
  }),
  /** Makes a quant of a model on disk with llama-quantize (202: it runs on; poll the job). */
  quantize: defineRoute({
    method: "POST",
    path: "/api/quantize",
    body: quantizeRequestSchema,
    response: quantizeJobSchema,
    status: 202,
  }),
  /** What a quantize request would make (rules checked, size, shards), without starting it. */
  planQuantize: defineRoute({
    method: "POST",
    path: "/api/quantize/plan",
    body: quantizeRequestSchema,
    response: quantizePlanSchema,
  }),
  quantizeJob: defineRoute({
    method: "GET",
    path: "/api/quantize/:id",
    params: idParams,
    response: quantizeJobSchema,
  }),
  /** Stops a quantize job; its partial file is removed. */
  cancelQuantize: defineRoute({
    method: "POST",
    path: "/api/quantize/:id/cancel",
    params: idParams,
    response: quantizeJobSchema,
  }),

  /** Quality runs, newest first. */
  qualityRuns: defineRoute({
    method: "GET",
    path: "/api/quality/runs",
    response: z.object({ runs: z.array(qualityRunSchema) }),
  }),
  /** Measures candidates against a reference (201; progress on the `quality` topic). */
  startQualityRun: defineRoute({
    method: "POST",
    path: "/api/quality/runs",
    body: qualityRunRequestSchema,
    response: qualityRunSchema,
    status: 201,
  }),
  /** What a quality run would take (text, logits file, disk), without starting it. */
  planQualityRun: defineRoute({
    method: "POST",
    path: "/api/quality/plan",
    body: qualityRunRequestSchema,
    response: qualityPlanSchema,
  }),
  /** The default evaluation text's size, and the texts in the agent's text folders. */
  evaluationTexts: defineRoute({
    method: "GET",
    path: "/api/quality/texts",
    response: evaluationTextsSchema,
  }),
  /** Deletes a run and its files (its kept logits too); a running one is cancelled first. */
  deleteQualityRun: defineRoute({
    method: "DELETE",
    path: "/api/quality/runs/:id",
    params: idParams,
    response: deletedSchema,
  }),
  qualityRun: defineRoute({
    method: "GET",
    path: "/api/quality/runs/:id",
    params: idParams,
    response: qualityRunSchema,
  }),
  cancelQualityRun: defineRoute({
    method: "POST",
    path: "/api/quality/runs/:id/cancel",
    params: idParams,
    response: qualityRunSchema,
  }),

  /** Other agents this one manages; tokens are never sent back. */
  boxes: defineRoute({
    method: "GET",
    path: "/api/boxes",
    /** refresh: test every box first (a few seconds at most), for a live fleet view. */
    query: z.object({ refresh: z.enum(["true", "false"]).optional() }),
    response: z.object({ boxes: z.array(boxSchema) }),
  }),
  /** Adds a box and tests it (201); its check says what was found. */
  addBox: defineRoute({
    method: "POST",
    path: "/api/boxes",
    body: addBoxRequestSchema,
    response: boxSchema,
    status: 201,
  }),
  /** Renames a box, or changes its URL or token (null removes the token). */
  updateBox: defineRoute({
    method: "PUT",
    path: "/api/boxes/:name",
    params: z.object({ name: z.string().min(1).max(63) }),
    body: updateBoxRequestSchema,
    response: boxSchema,
  }),
  deleteBox: defineRoute({
    method: "DELETE",
    path: "/api/boxes/:name",
    params: z.object({ name: z.string().min(1).max(63) }),
    response: deletedSchema,
  }),
  /** Reachable, protocol, token, hardware and what it runs. */
  testBox: defineRoute({
    method: "POST",
    path: "/api/boxes/:name/test",
    params: z.object({ name: z.string().min(1).max(63) }),
    response: boxCheckSchema,
  }),
  /** Where a model split across worker boxes would go, and how fast it would run (links measured). */
  planSplit: defineRoute({
    method: "POST",
    path: "/api/boxes/plan",
    body: splitPlanRequestSchema,
    response: splitPlanSchema,
  }),
  /** A one-shot sink on this box's RPC address, for a head to measure the link. */
  probeRpc: defineRoute({ method: "POST", path: "/api/rpc/probe", response: probeSinkSchema }),
  /** This box's RPC server, for a head that splits a model across boxes. */
  rpcStatus: defineRoute({ method: "GET", path: "/api/rpc", response: rpcStatusSchema }),
  startRpc: defineRoute({
    method: "POST",
    path: "/api/rpc/start",
    body: rpcRequestSchema,
    response: rpcStatusSchema,
  }),
  stopRpc: defineRoute({
    method: "POST",
    path: "/api/rpc/stop",
    body: rpcRequestSchema,
    response: rpcStatusSchema,
  }),

  runtime: defineRoute({ method: "GET", path: "/api/runtime", response: runtimeStatusSchema }),
  load: defineRoute({
    method: "POST",
    path: "/api/runtime/load",
    body: loadRequestSchema,
    response: loadedModelSchema,
  }),
  unload: defineRoute({
    method: "POST",
    path: "/api/runtime/unload",
    response: runtimeStatusSchema,
  }),
  /** Streaming clients use the WebSocket or /v1 instead. */
  generate: defineRoute({
    method: "POST",
    path: "/api/runtime/generate",
    body: httpGenerateRequestSchema,
    response: generationResultSchema.extend({ promptTokenIds: z.array(z.number()).optional() }),
  }),
  /** llama-bench pp512 / tg128 at the loaded model's settings. */
  bench: defineRoute({ method: "POST", path: "/api/runtime/bench", response: benchResultSchema }),

  hardware: defineRoute({ method: "GET", path: "/api/hardware", response: hardwareInfoSchema }),
  /** Whether a model on disk or a catalog quant fits this machine, and how to load it. */
  plan: defineRoute({
    method: "GET",
    path: "/api/plan",
    query: planRequestSchema,
    response: fitPlanSchema,
  }),
  catalog: defineRoute({ method: "GET", path: "/api/catalog", response: catalogResponseSchema }),
  /** A hub repository's GGUF models, grouped by quant. */
  hubRepo: defineRoute({
    method: "GET",
    path: "/api/hub/models/:org/:name",
    params: z.object({ org: z.string().min(1).max(96), name: z.string().min(1).max(96) }),
    query: z.object({ revision: z.string().min(1).max(256).default("main") }),
    response: hubRepoResponseSchema,
  }),

  /** What is inside a hub file, from its headers alone (HTTP range reads; shards found by name). */
  hubMix: defineRoute({
    method: "GET",
    path: "/api/hub/models/:org/:name/mix",
    params: z.object({ org: z.string().min(1).max(96), name: z.string().min(1).max(96) }),
    query: z.object({
      file: z.string().min(1).max(1024),
      revision: z.string().min(1).max(256).default("main"),
    }),
    response: quantMixSchema,
  }),

  downloads: defineRoute({
    method: "GET",
    path: "/api/downloads",
    response: downloadsResponseSchema,
  }),
  /** Starts a download, or attaches to the same one already running (200 then, not 201). */
  startDownload: defineRoute({
    method: "POST",
    path: "/api/downloads",
    body: startDownloadRequestSchema,
    response: downloadJobSchema,
    status: 201,
  }),
  pauseDownload: defineRoute({
    method: "POST",
    path: "/api/downloads/:id/pause",
    params: idParams,
    response: downloadJobSchema,
  }),
  resumeDownload: defineRoute({
    method: "POST",
    path: "/api/downloads/:id/resume",
    params: idParams,
    response: downloadJobSchema,
  }),
  cancelDownload: defineRoute({
    method: "POST",
    path: "/api/downloads/:id/cancel",
    params: idParams,
    response: downloadJobSchema,
  }),

  settings: defineRoute({ method: "GET", path: "/api/settings", response: settingsResponseSchema }),
  updateSettings: defineRoute({
    method: "PUT",
    path: "/api/settings",
    body: updateSettingsRequestSchema,
    response: settingsResponseSchema,
  }),

  /** Named API keys (admin): listed with their use, created (the key shown once), revoked. */
  keys: defineRoute({ method: "GET", path: "/api/keys", response: apiKeysResponseSchema }),
  createKey: defineRoute({
    method: "POST",
    path: "/api/keys",
    body: createKeyRequestSchema,
    response: createdKeySchema,
    status: 201,
  }),
  revokeKey: defineRoute({
    method: "DELETE",
    path: "/api/keys/:id",
    params: idParams,
    response: deletedSchema,
  }),

  /** The last 15 minutes, oldest first; new samples stream on the "monitor" topic. */
  /** The last 15 minutes of samples; `last=N` only the newest N (a fleet view needs one). */
  monitor: defineRoute({
    method: "GET",
    path: "/api/monitor",
    query: z.object({ last: z.coerce.number().int().min(1).max(100_000).optional() }),
    response: monitorHistorySchema,
  }),
  /** Prometheus' text format. */
  metrics: defineRoute({ method: "GET", path: "/metrics" }),

  /** Whether generated programs can run here, and what to install if not. */
  sandbox: defineRoute({
    method: "GET",
    path: "/api/compare/sandbox",
    query: z.object({ refresh: z.enum(["0", "1"]).optional() }),
    response: sandboxStatusSchema,
  }),
  compareRuns: defineRoute({
    method: "GET",
    path: "/api/compare/runs",
    query: compareRunsQuerySchema,
    response: compareRunsResponseSchema,
  }),
  startCompare: defineRoute({
    method: "POST",
    path: "/api/compare/runs",
    body: startCompareRequestSchema,
    response: compareRunSchema,
    status: 201,
  }),
  compareRun: defineRoute({
    method: "GET",
    path: "/api/compare/runs/:id",
    params: idParams,
    response: compareRunSchema,
  }),
  cancelCompare: defineRoute({
    method: "POST",
    path: "/api/compare/runs/:id/cancel",
    params: idParams,
    response: compareRunSchema,
  }),
  deleteCompare: defineRoute({
    method: "DELETE",
    path: "/api/compare/runs/:id",
    params: idParams,
    response: deletedSchema,
  }),
  /** A program's recording (VP8 WebM), with Range so players can seek. */
  compareRecording: defineRoute({
    method: "GET",
    path: "/api/compare/runs/:id/answers/:index/recording",
    params: idParams.extend({ index: z.string().max(12) }),
  }),
  /** The whole run as one self-contained HTML file. */
  compareExport: defineRoute({
    method: "GET",
    path: "/api/compare/runs/:id/export",
    params: idParams,
  }),

  /** Which engine serves and why, the llama-server build, and benchmarks. */
  engine: defineRoute({ method: "GET", path: "/api/engine", response: engineStatusSchema }),
  setEnginePreference: defineRoute({
    method: "PUT",
    path: "/api/engine",
    body: z.object({ preference: enginePreferenceSchema }),
    response: engineStatusSchema,
  }),
  /** Builds llama-server, llama-bench and rpc-server (minutes); progress on the `engine` topic. */
  buildEngine: defineRoute({
    method: "POST",
    path: "/api/engine/build",
    response: engineStatusSchema,
    status: 202,
  }),
};
