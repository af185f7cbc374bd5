import { useSyncExternalStore } from "react";

/**
 * Which box the dashboard's pages talk to: this agent, or another one it manages ("a box"),
 * reached through this agent's relay at /api/boxes/NAME/relay. Kept per browser; switching
 * reloads the page, so that every query and the socket start over for the new box.
 */
const STORAGE_KEY = "quantdeck.box";

export function currentBox(): string | null {
  if (typeof window === "undefined") return null;
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage off (private mode): this agent
  }
}

/** The path every API call and the socket go under: empty for this agent. */
export function boxBase(): string {
  const box = currentBox();
  return box ? `/api/boxes/${encodeURIComponent(box)}/relay` : "";
}

export function switchToBox(name: string | null): void {
  try {
    if (name) window.localStorage.setItem(STORAGE_KEY, name);
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage off: the switch lasts until the reload only
  }
  window.location.reload();
}

const noChanges = () => () => undefined;

/** The box the pages show, for components; the server renders "this agent" (a switch reloads). */
export function useViewedBox(): string | null {
  return useSyncExternalStore(noChanges, currentBox, () => null);
}
