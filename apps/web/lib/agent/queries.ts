import { api } from "@quantdeck/shared";
import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { agentApi, localAgentApi } from "./httpClient";

/** React Query factories: one per agent query, so keys and fetchers never drift apart. */
export const agentQueries = {
  status: () =>
    queryOptions({ queryKey: ["agent", "status"], queryFn: () => agentApi.call(api.status) }),
  auth: () => queryOptions({ queryKey: ["agent", "auth"], queryFn: () => agentApi.call(api.auth) }),
  runtime: () =>
    queryOptions({ queryKey: ["agent", "runtime"], queryFn: () => agentApi.call(api.runtime) }),
  models: () =>
    queryOptions({ queryKey: ["agent", "models"], queryFn: () => agentApi.call(api.models) }),
  settings: () =>
    queryOptions({ queryKey: ["agent", "settings"], queryFn: () => agentApi.call(api.settings) }),
  keys: () => queryOptions({ queryKey: ["agent", "keys"], queryFn: () => agentApi.call(api.keys) }),
  hardware: () =>
    queryOptions({
      queryKey: ["agent", "hardware"],
      queryFn: () => agentApi.call(api.hardware),
      staleTime: 30_000,
    }),
  catalog: () =>
    queryOptions({
      queryKey: ["agent", "catalog"],
      queryFn: () => agentApi.call(api.catalog),
      staleTime: 60_000,
    }),
  monitor: () =>
    queryOptions({
      queryKey: ["agent", "monitor"],
      queryFn: () => agentApi.call(api.monitor),
      staleTime: Infinity,
    }),
  downloads: () =>
    queryOptions({
      queryKey: ["agent", "downloads"],
      queryFn: () => agentApi.call(api.downloads),
    }),
  qualityRuns: () =>
    queryOptions({
      queryKey: ["agent", "quality"],
      queryFn: () => agentApi.call(api.qualityRuns),
    }),
  /** This agent's boxes (never relayed: the boxes of this agent, whichever one pages show). */
  boxes: (refresh = false) =>
    queryOptions({
      queryKey: ["local", "boxes", refresh],
      queryFn: () => localAgentApi.call(api.boxes, { query: refresh ? { refresh: "true" } : {} }),
      ...(refresh && { refetchInterval: 15_000 }),
    }),
  /** The default evaluation text's size and the texts in the agent's text folders. */
  evaluationTexts: () =>
    queryOptions({
      queryKey: ["agent", "quality", "texts"],
      queryFn: () => agentApi.call(api.evaluationTexts),
      staleTime: 10_000,
    }),
  quantizeJobs: () =>
    queryOptions({
      queryKey: ["agent", "quantize"],
      queryFn: () => agentApi.call(api.quantizeJobs),
    }),
  modelMix: (id: string) =>
    queryOptions({
      queryKey: ["agent", "models", "mix", id],
      queryFn: () => agentApi.call(api.modelMix, { query: { id } }),
      staleTime: Infinity,
    }),
  /** Run summaries, newest first, a page at a time (older pages on demand). */
  compareRuns: () =>
    infiniteQueryOptions({
      queryKey: ["agent", "compare", "runs"],
      queryFn: ({ pageParam }) => agentApi.call(api.compareRuns, { query: { cursor: pageParam } }),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
  compareRun: (id: string) =>
    queryOptions({
      queryKey: ["agent", "compare", "run", id],
      queryFn: () => agentApi.call(api.compareRun, { params: { id } }),
    }),
  engine: () =>
    queryOptions({ queryKey: ["agent", "engine"], queryFn: () => agentApi.call(api.engine) }),
  sandbox: () =>
    queryOptions({
      queryKey: ["agent", "compare", "sandbox"],
      queryFn: () => agentApi.call(api.sandbox),
      staleTime: Infinity,
    }),
};
