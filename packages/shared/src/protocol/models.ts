import { z } from "zod";
import { modelSummarySchema } from "./status";

export const localModelsResponseSchema = z.object({ models: z.array(modelSummarySchema) });

/** What a tensor does: the parts a dynamic quant gives different types. */
export const tensorRoleSchema = z.enum([
  "embeddings",
  "attention",
  "denseFfn",
  "expertsGate",
  "expertsUp",
  "expertsDown",
  "router",
  "sharedExperts",
  "norms",
  "output",
]);
export type TensorRole = z.infer<typeof tensorRoleSchema>;

/**
 * What is inside a quant, read from its GGUF headers: bytes per tensor type and role, so a
 * "dynamic" quant (UD-Q2_K_XL) shows as the mix it is.
 */
export const quantMixSchema = z.object({
  /** The model id on disk, or the hub file it was read from. */
  model: z.string(),
  architecture: z.string(),
  parameters: z.number(),
  totalBytes: z.number(),
  bitsPerWeight: z.number(),
  /** The type holding the most bytes. */
  dominantType: z.string(),
  entries: z.array(
    z.object({
      role: tensorRoleSchema,
      type: z.string(),
      tensors: z.number().int(),
      bytes: z.number(),
      /** Of the whole file, 0–1. */
      share: z.number(),
      bitsPerWeight: z.number(),
    }),
  ),
});
export type QuantMix = z.infer<typeof quantMixSchema>;
