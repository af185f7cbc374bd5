import { z } from "zod";
import { evaluationTextFields } from "./quality";

/** The file types llama-quantize makes (its TYPE argument). */
export const quantFileTypes = [
  "F16",
  "BF16",
  "Q8_0",
  "Q6_K",
  "Q5_K_M",
  "Q5_K_S",
  "Q5_0",
  "Q4_K_M",
  "Q4_K_S",
  "Q4_0",
  "IQ4_XS",
  "IQ4_NL",
  "Q3_K_L",
  "Q3_K_M",
  "Q3_K_S",
  "IQ3_S",
  "IQ3_XXS",
  "Q2_K",
  "IQ2_M",
  "IQ2_S",
  "IQ2_XS",
  "IQ2_XXS",
  "IQ1_M",
  "IQ1_S",
] as const;
export const quantFileTypeSchema = z.enum(quantFileTypes);

/** Types llama-quantize makes only with an importance matrix. */
export const typesNeedingImatrix: ReadonlySet<string> = new Set([
  "IQ1_S",
  "IQ1_M",
  "IQ2_XXS",
  "IQ2_XS",
  "IQ2_S",
  "IQ2_M",
]);
export type QuantFileType = z.infer<typeof quantFileTypeSchema>;

/** The tensor types a rule may give a tensor (ggml's types, as --tensor-type takes them). */
export const tensorTypes = [
  "F32",
  "F16",
  "BF16",
  "Q8_0",
  "Q6_K",
  "Q5_K",
  "Q5_0",
  "Q4_K",
  "Q4_0",
  "IQ4_XS",
  "IQ4_NL",
  "Q3_K",
  "IQ3_S",
  "IQ3_XXS",
  "Q2_K",
  "IQ2_S",
  "IQ2_XS",
  "IQ2_XXS",
  "IQ1_M",
  "IQ1_S",
] as const;
export const tensorTypeSchema = z.enum(tensorTypes);
export type TensorType = z.infer<typeof tensorTypeSchema>;

/** `regex = type`, as llama-quantize's --tensor-type: every tensor whose name matches gets the type. */
export const tensorRuleSchema = z.object({
  pattern: z.string().min(1).max(200),
  type: tensorTypeSchema,
});
export type TensorRule = z.infer<typeof tensorRuleSchema>;

export const quantizeRequestSchema = z.object({
  /** A model on disk, in a higher precision (F32, F16, BF16 or Q8_0). */
  source: z.string().min(1).max(1024),
  type: quantFileTypeSchema,
  rules: z.array(tensorRuleSchema).max(64).default([]),
  /** "dynamic": the guide's recipe around `type` (rules given as well come first). */
  preset: z.enum(["dynamic"]).optional(),
  outputType: tensorTypeSchema.optional(),
  embeddingType: tensorTypeSchema.optional(),
  /** Requantizing a quantized model compounds its error: asked for explicitly. */
  allowRequantize: z.boolean().default(false),
  /**
   * Compute an importance matrix with llama-imatrix first, from the evaluation text, and
   * quantize with it (needed for IQ1 and IQ2 types; better for every low-bit type).
   */
  imatrix: z
    .object({
      ...evaluationTextFields,
      contextSize: z.number().int().min(64).max(16_384).default(512),
      chunks: z.number().int().min(1).max(10_000).default(100),
    })
    .refine((v) => v.text === undefined || v.textPath === undefined, {
      message: "Give text or textPath, not both",
    })
    .optional(),
  /**
   * A single-file output larger than this is split into shards with llama-gguf-split
   * (Hugging Face takes files up to 50 GB). A split source stays split as it is.
   */
  maxShardBytes: z.number().int().min(1_000_000).max(1e15).default(50e9),
  /** The new file's name in the models folder, without .gguf; made from the source and type if absent. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/, "letters, digits, '.', '_' and '-'")
    .optional(),
});
export type QuantizeRequest = z.infer<typeof quantizeRequestSchema>;

export const quantizeJobSchema = z.object({
  id: z.string(),
  source: z.string(),
  type: quantFileTypeSchema,
  /** The rules applied, the preset's included. */
  rules: z.array(tensorRuleSchema),
  /** The new model's id (its file in the models folder). */
  target: z.string(),
  state: z.enum(["running", "done", "failed", "cancelled"]),
  /** What runs now: the importance matrix, the quantization, or the split into shards. */
  phase: z.enum(["imatrix", "quantize", "split"]),
  /** 0–1 within the phase: chunks read, tensors written. */
  progress: z.number(),
  /** The new model's files in the models folder, once done (shards, when split). */
  files: z.array(z.string()),
  estimatedBytes: z.number(),
  error: z.object({ title: z.string(), hint: z.string().optional() }).nullable(),
  /** llama-quantize's last lines, for a failure. */
  logTail: z.array(z.string()),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type QuantizeJob = z.infer<typeof quantizeJobSchema>;

/** What a quantize request would make, before starting it: checked as the rules are typed. */
export const quantizePlanSchema = z.object({
  /** The new model's id (its first file). */
  target: z.string(),
  /** Every rule applied, in order (the user's, then the preset's), and how many tensors each gives its type. */
  rules: z.array(tensorRuleSchema.extend({ matches: z.number().int(), fromPreset: z.boolean() })),
  outputType: tensorTypeSchema.nullable(),
  embeddingType: tensorTypeSchema.nullable(),
  estimatedBytes: z.number(),
  /** Free space on the models folder's disk. */
  freeBytes: z.number(),
  /** How many files the result will be, estimated from its size. */
  shards: z.number().int(),
  /** Whether llama-imatrix runs first. */
  imatrix: z.boolean(),
});
export type QuantizePlan = z.infer<typeof quantizePlanSchema>;
