"use client";

import type { ApiError, GenerationRequest, GenerationStats, ToolCall } from "@quantdeck/shared";
import { useCallback, useEffect, useRef, useState } from "react";
import { useAgentSocket } from "@/lib/agent/AgentProvider";
import { AgentError } from "@/lib/agent/AgentHttpError";

export interface GenerationState {
  id: string | null;
  text: string;
  /** The model's tool calls so far, their arguments growing as they stream. */
  toolCalls: ToolCall[];
  running: boolean;
  stats: GenerationStats | null;
  error: ApiError | null;
}

/** How a generation ended: its text and calls, and its stats (null when it failed). */
export interface FinishedGeneration {
  text: string;
  toolCalls: ToolCall[];
  stats: GenerationStats | null;
}

const idle: GenerationState = {
  id: null,
  text: "",
  toolCalls: [],
  running: false,
  stats: null,
  error: null,
};

/** Adds one streamed part of a call: a new call, or more of its arguments. */
function withCallPart(calls: ToolCall[], part: ToolCall & { index: number }): ToolCall[] {
  const next = [...calls];
  const known = next[part.index];
  next[part.index] = known
    ? { ...known, arguments: known.arguments + part.arguments }
    : { id: part.id, name: part.name, arguments: part.arguments };
  return next;
}

/**
 * Runs one generation at a time over the agent socket and follows its events. Text is
 * batched per animation frame: tokens can arrive faster than React should re-render.
 */
export function useGeneration(onFinished: (finished: FinishedGeneration) => void) {
  const socket = useAgentSocket();
  const [state, setState] = useState<GenerationState>(idle);
  const current = useRef<string | null>(null);
  const pendingText = useRef("");
  const frame = useRef<number | null>(null);
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  }, [onFinished]);

  useEffect(
    () =>
      socket.onGeneration((event) => {
        if (event.generationId !== current.current) return;
        if (event.kind === "text") {
          pendingText.current += event.text;
          frame.current ??= requestAnimationFrame(() => {
            frame.current = null;
            const chunk = pendingText.current;
            pendingText.current = "";
            setState((s) => ({ ...s, text: s.text + chunk }));
          });
        } else if (event.kind === "toolCall") {
          setState((s) => ({ ...s, toolCalls: withCallPart(s.toolCalls, event) }));
        } else if (event.kind === "done") {
          current.current = null;
          pendingText.current = "";
          const toolCalls = event.toolCalls ?? [];
          setState((s) => ({
            ...s,
            text: event.text,
            toolCalls,
            running: false,
            stats: event.stats,
          }));
          finished.current({ text: event.text, toolCalls, stats: event.stats });
        } else if (event.kind === "failed") {
          current.current = null;
          setState((s) => ({ ...s, running: false, error: event.error }));
          finished.current({ text: "", toolCalls: [], stats: null });
        }
      }),
    [socket],
  );

  const start = useCallback(
    async (request: GenerationRequest) => {
      setState({ ...idle, running: true });
      try {
        current.current = await socket.generate(request);
        setState((s) => ({ ...s, id: current.current }));
      } catch (error) {
        setState({
          ...idle,
          error:
            error instanceof AgentError
              ? error.apiError
              : { code: "internal", title: String(error) },
        });
      }
    },
    [socket],
  );

  const stop = useCallback(() => {
    if (current.current) socket.cancel(current.current);
  }, [socket]);

  return { state, start, stop };
}
