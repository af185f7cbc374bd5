"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createContext,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from "react";
import { summarizeCompareRun } from "@quantdeck/shared";
import { AgentSocket, type ConnectionState } from "./AgentSocket";
import { agentQueries } from "./queries";

const SocketContext = createContext<AgentSocket | null>(null);
/** Samples kept in the browser: the agent's own 15 minutes. */
const MONITOR_HISTORY = 900;

/** Owns the query cache and the agent socket; WebSocket events are written into the cache. */
export function AgentProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 5_000, retry: 1, refetchOnWindowFocus: false } },
      }),
  );
  const [socket] = useState(
    () =>
      new AgentSocket((event) => {
        switch (event.topic) {
          case "status":
            queryClient.setQueryData(agentQueries.status().queryKey, event.data);
            return;
          case "runtime":
            queryClient.setQueryData(agentQueries.runtime().queryKey, event.data);
            return;
          case "monitor":
            queryClient.setQueryData(agentQueries.monitor().queryKey, (old) =>
              old
                ? { ...old, samples: [...old.samples.slice(-(MONITOR_HISTORY - 1)), event.data] }
                : old,
            );
            return;
          case "downloads": {
            const job = event.data;
            queryClient.setQueryData(agentQueries.downloads().queryKey, (old) => {
              if (!old) return old;
              const others = old.downloads.filter((d) => d.id !== job.id);
              return { downloads: [...others, job].sort((a, b) => a.createdAt - b.createdAt) };
            });
            // A finished download is a new local model.
            if (job.state === "completed")
              void queryClient.invalidateQueries({ queryKey: agentQueries.models().queryKey });
            return;
          }
          case "compare": {
            const run = event.data;
            queryClient.setQueryData(agentQueries.compareRun(run.id).queryKey, run);
            // The list holds summaries: a changed run replaces its own, a new one goes first.
            const summary = summarizeCompareRun(run);
            queryClient.setQueryData(agentQueries.compareRuns().queryKey, (old) => {
              if (!old) return old;
              const known = old.pages.some((p) => p.runs.some((r) => r.id === run.id));
              const pages = old.pages.map((page) => ({
                ...page,
                runs: page.runs.map((r) => (r.id === run.id ? summary : r)),
              }));
              const [first, ...rest] = pages;
              return known || !first
                ? { ...old, pages }
                : { ...old, pages: [{ ...first, runs: [summary, ...first.runs] }, ...rest] };
            });
            return;
          }
          case "engine":
            queryClient.setQueryData(agentQueries.engine().queryKey, event.data);
            return;
          case "quality": {
            const run = event.data;
            queryClient.setQueryData(agentQueries.qualityRuns().queryKey, (old) =>
              old ? { runs: replaceOrPrepend(old.runs, run) } : old,
            );
            return;
          }
          case "quantize": {
            const job = event.data;
            queryClient.setQueryData(agentQueries.quantizeJobs().queryKey, (old) =>
              old ? { jobs: replaceOrPrepend(old.jobs, job) } : old,
            );
            // A finished quant is a new local model.
            if (job.state === "done")
              void queryClient.invalidateQueries({ queryKey: agentQueries.models().queryKey });
            return;
          }
          case "generations":
            return; // routed to AgentSocket.onGeneration listeners
        }
      }),
  );

  useEffect(() => {
    socket.subscribe(
      "status",
      "runtime",
      "monitor",
      "downloads",
      "compare",
      "engine",
      "quantize",
      "quality",
    );
    socket.start();
    const onVisible = () => document.visibilityState === "visible" && socket.retryNow();
    document.addEventListener("visibilitychange", onVisible);
    // StrictMode runs effects twice in development: the cleanup closes the first socket.
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      socket.stop();
    };
  }, [socket]);

  return (
    <QueryClientProvider client={queryClient}>
      <SocketContext.Provider value={socket}>{children}</SocketContext.Provider>
    </QueryClientProvider>
  );
}

const serverState: ConnectionState = { kind: "connecting" };

export function useConnectionState(): ConnectionState {
  const socket = useContext(SocketContext);
  if (!socket) throw new Error("useConnectionState must be used inside AgentProvider");
  return useSyncExternalStore(socket.onStateChange, socket.getState, () => serverState);
}

export function useAgentSocket(): AgentSocket {
  const socket = useContext(SocketContext);
  if (!socket) throw new Error("useAgentSocket must be used inside AgentProvider");
  return socket;
}

/** A list, newest first, with `item` in its place, or first when it is new. */
function replaceOrPrepend<T extends { id: string }>(list: T[], item: T): T[] {
  return list.some((x) => x.id === item.id)
    ? list.map((x) => (x.id === item.id ? item : x))
    : [item, ...list];
}
