import { z } from "zod";
import { kvCacheTypeSchema } from "./runtime";

/**
 * A quality run: how far candidates' next-token distributions drift from a reference of
 * the same model, with llama.cpp's llama-perplexity (--kl-divergence-base once for the
 * reference, --kl-divergence for each candidate).
 */
/** Where an evaluation text comes from: nothing given is the default text shipped with Quantdeck. */
export const evaluationTextFields = {
  /** The text itself (an upload), at most what fits the agent's 1 MiB request bodies. */
  text: z.string().min(1).max(1_000_000).optional(),
  /** A UTF-8 file on the agent's machine, inside one of its text folders (GET /api/quality/texts). */
  textPath: z.string().min(1).max(4096).optional(),
};
const oneTextSource = (v: { text?: string; textPath?: string }) =>
  v.text === undefined || v.textPath === undefined;
const oneTextSourceMessage = { message: "Give text or textPath, not both", path: ["textPath"] };

export const evaluationTextSchema = z.object({
  source: z.enum(["default", "upload", "file"]),
  /** The file's name, or "default". */
  name: z.string(),
  bytes: z.number().int(),
});
export type EvaluationText = z.infer<typeof evaluationTextSchema>;

/** The agent's text folders and the texts in them. */
export const evaluationTextsSchema = z.object({
  /** The default text's size. */
  defaultBytes: z.number().int(),
  folders: z.array(z.string()),
  files: z.array(z.object({ path: z.string(), bytes: z.number().int() })),
});

export const qualityRunRequestSchema = z
  .object({
    /** The higher-precision model (e.g. the Q8_0 or F16 of the same model). */
    reference: z.string().min(1).max(1024),
    /** Other quants of the same model, and/or the same weights with another K cache type. */
    candidates: z
      .array(
        z.object({
          model: z.string().min(1).max(1024),
          /** The KV cache's type, for K and V (MLA models need them alike); f16 as the reference's. */
          kvCacheType: kvCacheTypeSchema.default("f16"),
        }),
      )
      .min(1)
      .max(16),
    /** The evaluation text (natural prose), at least two chunks' worth of tokens. */
    ...evaluationTextFields,
    contextSize: z.number().int().min(64).max(16_384).default(512),
    chunks: z.number().int().min(1).max(2000).default(20),
    /** Keep the reference's logits file for later runs (it can be many GB). */
    keepLogits: z.boolean().default(false),
  })
  .refine(oneTextSource, oneTextSourceMessage);
export type QualityRunRequest = z.input<typeof qualityRunRequestSchema>;

export const qualityResultSchema = z.object({
  /** Null when it overflows (a model that guesses the text very badly). */
  perplexity: z.number().nullable(),
  perplexityUncertainty: z.number().nullable(),
  /** The candidate's perplexity over the reference's (its own run's). */
  perplexityRatio: z.number().nullable(),
  meanKld: z.number(),
  medianKld: z.number(),
  kld99: z.number(),
  kld999: z.number(),
  maxKld: z.number(),
  /** How often the most likely token is the reference's, in percent. */
  sameTopPercent: z.number(),
  /** Root mean square of the change in the probability of the right token, in percent. */
  rmsDeltaPPercent: z.number(),
  sizeBytes: z.number(),
  bitsPerWeight: z.number(),
});
export type QualityResult = z.infer<typeof qualityResultSchema>;

const stepStateSchema = z.enum(["pending", "running", "done", "failed", "cancelled"]);

export const qualityRunSchema = z.object({
  id: z.string(),
  reference: z.string(),
  contextSize: z.number().int(),
  chunks: z.number().int(),
  state: z.enum(["running", "done", "failed", "cancelled"]),
  /** The reference's logits file, estimated before starting. */
  logitsBytes: z.number(),
  keepLogits: z.boolean(),
  /** The run whose kept logits this one reused (same reference file, text, context and chunks). */
  logitsReusedFrom: z.string().nullable().default(null),
  /** Runs stored before texts were recorded were all uploads. */
  text: evaluationTextSchema.default({ source: "upload", name: "text", bytes: 0 }),
  referenceStep: z.object({
    state: stepStateSchema,
    progress: z.number(),
    perplexity: z.number().nullable(),
    sizeBytes: z.number(),
    bitsPerWeight: z.number(),
  }),
  candidates: z.array(
    z.object({
      model: z.string(),
      kvCacheType: kvCacheTypeSchema,
      state: stepStateSchema,
      /** 0–1, from the chunks done. */
      progress: z.number(),
      result: qualityResultSchema.nullable(),
      error: z.string().nullable(),
    }),
  ),
  error: z.object({ title: z.string(), hint: z.string().optional() }).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type QualityRun = z.infer<typeof qualityRunSchema>;

/** What a quality run would take, before starting it. */
export const qualityPlanSchema = z.object({
  text: evaluationTextSchema,
  logitsBytes: z.number(),
  /** Free space on the data folder's disk. */
  freeBytes: z.number(),
  /** A finished run whose kept logits would be reused (nothing to compute for the reference). */
  reusesLogitsOf: z.string().nullable(),
  steps: z.number().int(),
});
export type QualityPlan = z.infer<typeof qualityPlanSchema>;
