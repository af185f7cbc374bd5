import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import { agentHttp } from "./httpClient";

/** React Query factories: one per agent query, so keys and fetchers never drift apart. */
export const agentQueries = {
  status: () => queryOptions({ queryKey: ["agent", "status"], queryFn: agentHttp.status }),
  auth: () => queryOptions({ queryKey: ["agent", "auth"], queryFn: agentHttp.auth }),
  runtime: () => queryOptions({ queryKey: ["agent", "runtime"], queryFn: agentHttp.runtime }),
  models: () => queryOptions({ queryKey: ["agent", "models"], queryFn: agentHttp.models }),
  settings: () => queryOptions({ queryKey: ["agent", "settings"], queryFn: agentHttp.settings }),
  hardware: () =>
    queryOptions({
      queryKey: ["agent", "hardware"],
      queryFn: agentHttp.hardware,
      staleTime: 30_000,
    }),
  catalog: () =>
    queryOptions({ queryKey: ["agent", "catalog"], queryFn: agentHttp.catalog, staleTime: 60_000 }),
  monitor: () =>
    queryOptions({
      queryKey: ["agent", "monitor"],
      queryFn: agentHttp.monitor,
      staleTime: Infinity,
    }),
  downloads: () => queryOptions({ queryKey: ["agent", "downloads"], queryFn: agentHttp.downloads }),
  /** Run summaries, newest first, a page at a time (older pages on demand). */
  compareRuns: () =>
    infiniteQueryOptions({
      queryKey: ["agent", "compare", "runs"],
      queryFn: ({ pageParam }) => agentHttp.compareRuns(pageParam),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
  compareRun: (id: string) =>
    queryOptions({
      queryKey: ["agent", "compare", "run", id],
      queryFn: () => agentHttp.compareRun(id),
    }),
  engine: () => queryOptions({ queryKey: ["agent", "engine"], queryFn: agentHttp.engine }),
  sandbox: () =>
    queryOptions({
      queryKey: ["agent", "compare", "sandbox"],
      queryFn: agentHttp.sandbox,
      staleTime: Infinity,
    }),
};
