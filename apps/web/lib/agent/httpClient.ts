import {
  agentStatusSchema,
  authStateSchema,
  errorResponseSchema,
  catalogResponseSchema,
  fitPlanSchema,
  type KvCacheType,
  downloadJobSchema,
  downloadsResponseSchema,
  hardwareInfoSchema,
  healthResponseSchema,
  monitorHistorySchema,
  type StartDownloadRequest,
  loadedModelSchema,
  localModelsResponseSchema,
  runtimeStatusSchema,
  settingsResponseSchema,
  type UpdateSettingsRequest,
  type LoadRequest,
  type LoginRequest,
  compareRunSchema,
  compareRunsResponseSchema,
  sandboxStatusSchema,
  type StartCompareRequest,
  benchResultSchema,
  engineStatusSchema,
  type EnginePreference,
} from "@quantdeck/shared";
import type { z } from "zod";
import { AgentHttpError } from "./AgentHttpError";

/**
 * The dashboard's one typed HTTP client for the agent. Requests go to this origin's /api,
 * which the dashboard's server relays to the agent; responses are checked against the
 * protocol's schemas, so a mismatch fails loudly here rather than deep in a component.
 */
async function request<T>(schema: z.ZodType<T>, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      ...(init.body ? { "Content-Type": "application/json" } : {}),
      ...init.headers,
    },
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = errorResponseSchema.safeParse(body);
    throw new AgentHttpError(
      response.status,
      parsed.success
        ? parsed.data.error
        : { code: "internal", title: `HTTP ${response.status}`, hint: "Is the agent running?" },
    );
  }
  return schema.parse(body);
}

export const agentHttp = {
  health: () => request(healthResponseSchema, "/api/health"),
  status: () => request(agentStatusSchema, "/api/status"),
  auth: () => request(authStateSchema, "/api/auth"),
  runtime: () => request(runtimeStatusSchema, "/api/runtime"),
  hardware: () => request(hardwareInfoSchema, "/api/hardware"),
  settings: () => request(settingsResponseSchema, "/api/settings"),
  updateSettings: (body: UpdateSettingsRequest) =>
    request(settingsResponseSchema, "/api/settings", { method: "PUT", body: JSON.stringify(body) }),
  logout: () => request(authStateSchema, "/api/auth/logout", { method: "POST" }),
  plan: (model: string, contextSize: number, kvCacheType: KvCacheType) =>
    request(
      fitPlanSchema,
      `/api/plan?${new URLSearchParams({ model, contextSize: String(contextSize), kvCacheType }).toString()}`,
    ),
  catalog: () => request(catalogResponseSchema, "/api/catalog"),
  monitor: () => request(monitorHistorySchema, "/api/monitor"),
  downloads: () => request(downloadsResponseSchema, "/api/downloads"),
  startDownload: (body: Partial<StartDownloadRequest> & { repo: string }) =>
    request(downloadJobSchema, "/api/downloads", { method: "POST", body: JSON.stringify(body) }),
  downloadAction: (id: string, action: "pause" | "resume" | "cancel") =>
    request(downloadJobSchema, `/api/downloads/${encodeURIComponent(id)}/${action}`, {
      method: "POST",
    }),
  models: () => request(localModelsResponseSchema, "/api/models"),
  load: (body: LoadRequest) =>
    request(loadedModelSchema, "/api/runtime/load", { method: "POST", body: JSON.stringify(body) }),
  unload: () => request(runtimeStatusSchema, "/api/runtime/unload", { method: "POST" }),
  compareRuns: (cursor?: string) =>
    request(
      compareRunsResponseSchema,
      `/api/compare/runs${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""}`,
    ),
  compareRun: (id: string) =>
    request(compareRunSchema, `/api/compare/runs/${encodeURIComponent(id)}`),
  startCompare: (body: Partial<StartCompareRequest> & Pick<StartCompareRequest, "targets">) =>
    request(compareRunSchema, "/api/compare/runs", { method: "POST", body: JSON.stringify(body) }),
  cancelCompare: (id: string) =>
    request(compareRunSchema, `/api/compare/runs/${encodeURIComponent(id)}/cancel`, {
      method: "POST",
    }),
  sandbox: () => request(sandboxStatusSchema, "/api/compare/sandbox"),
  engine: () => request(engineStatusSchema, "/api/engine"),
  buildEngine: () => request(engineStatusSchema, "/api/engine/build", { method: "POST" }),
  setEnginePreference: (preference: EnginePreference) =>
    request(engineStatusSchema, "/api/engine", {
      method: "PUT",
      body: JSON.stringify({ preference }),
    }),
  bench: () => request(benchResultSchema, "/api/runtime/bench", { method: "POST" }),
  login: (body: LoginRequest) =>
    request(authStateSchema, "/api/auth/login", { method: "POST", body: JSON.stringify(body) }),
};
