import { queryOptions } from "@tanstack/react-query";
import { agentHttp } from "./httpClient";

/** React Query factories: one per agent query, so keys and fetchers never drift apart. */
export const agentQueries = {
  status: () => queryOptions({ queryKey: ["agent", "status"], queryFn: agentHttp.status }),
  auth: () => queryOptions({ queryKey: ["agent", "auth"], queryFn: agentHttp.auth }),
  runtime: () => queryOptions({ queryKey: ["agent", "runtime"], queryFn: agentHttp.runtime }),
  models: () => queryOptions({ queryKey: ["agent", "models"], queryFn: agentHttp.models }),
};
