"use client";

import type { ChatMessage } from "@quantdeck/shared";
import { useCallback, useSyncExternalStore } from "react";

const KEY = "quantdeck.playground.conversation";
const listeners = new Set<() => void>();
let cache: { raw: string | null; value: ChatMessage[] } = { raw: null, value: [] };

/** The stored conversation right now (for callbacks that must not go stale). */
export function readConversation(): ChatMessage[] {
  const raw = localStorage.getItem(KEY);
  if (raw !== cache.raw) {
    let value: ChatMessage[] = [];
    try {
      value = raw ? (JSON.parse(raw) as ChatMessage[]) : [];
    } catch {
      value = [];
    }
    cache = { raw, value };
  }
  return cache.value;
}

const empty: ChatMessage[] = [];

/** The playground's conversation, kept in localStorage so it survives reloads. */
export function useConversation() {
  const messages = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    readConversation,
    () => empty,
  );
  const set = useCallback((next: ChatMessage[]) => {
    localStorage.setItem(KEY, JSON.stringify(next));
    for (const listener of listeners) listener();
  }, []);
  return [messages, set] as const;
}
