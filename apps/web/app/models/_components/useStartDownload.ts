"use client";

import { api, type RouteInput } from "@quantdeck/shared";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { agentApi } from "@/lib/agent/httpClient";
import { agentQueries } from "@/lib/agent/queries";

/** Starts a download; the list refreshes, and progress then arrives over the socket. */
export function useStartDownload() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: RouteInput<typeof api.startDownload>["body"]) =>
      agentApi.call(api.startDownload, { body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: agentQueries.downloads().queryKey }),
  });
}
