import { createStoredPreference } from "@/lib/storedPreference";

export type Theme = "dark" | "light";

/** Dark unless the user chose light; layout.tsx applies it before the first paint. */
export const themePreference = createStoredPreference<Theme>("quantdeck.theme", "dark", (saved) =>
  saved === "light" ? "light" : "dark",
);
