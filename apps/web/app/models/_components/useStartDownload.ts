"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { agentHttp } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";

/** Starts a download; the list refreshes, and progress then arrives over the socket. */
export function useStartDownload() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: agentHttp.startDownload,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: agentQueries.downloads().queryKey }),
  });
}
