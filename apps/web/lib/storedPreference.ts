import { useSyncExternalStore } from "react";

/**
 * A preference kept in localStorage, read with useSyncExternalStore: the server renders
 * `serverValue`, the browser the saved one, with no setState-in-effect and no mismatch.
 */
export function createStoredPreference<T extends string>(
  key: string,
  serverValue: T,
  read: (saved: string | null) => T,
) {
  const listeners = new Set<() => void>();
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const get = () => read(localStorage.getItem(key));
  const set = (value: T) => {
    localStorage.setItem(key, value);
    for (const listener of listeners) listener();
  };
  const use = () => useSyncExternalStore(subscribe, get, () => serverValue);
  return { use, set };
}
