import { z } from "zod";

/** Settings the dashboard can change; the token is never sent back, only whether one is set. */
export const settingsResponseSchema = z.object({
  modelsDir: z.string(),
  /** Folders from QUANTDECK_EXTRA_MODEL_DIRS (fixed at start) and those added here. */
  configuredModelDirs: z.array(z.string()),
  extraModelDirs: z.array(z.string()),
  hubEndpoint: z.string(),
  hubTokenSet: z.boolean(),
  /** Where the token comes from: this settings page, HF_TOKEN, or none. */
  hubTokenSource: z.enum(["settings", "environment", "none"]),
});
export type SettingsResponse = z.infer<typeof settingsResponseSchema>;

export const updateSettingsRequestSchema = z.object({
  /** Absolute paths of existing folders to look for GGUF models in (read only). */
  extraModelDirs: z.array(z.string().min(1).max(1024)).max(32).optional(),
  /** A hub token; null removes it. */
  hubToken: z.string().min(1).max(512).nullable().optional(),
});
export type UpdateSettingsRequest = z.infer<typeof updateSettingsRequestSchema>;
