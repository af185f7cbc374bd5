import { z } from "zod";

/**
 * What a named API key opens: `inference` the model APIs (/v1/*, the Anthropic and Ollama
 * routes), `read` the status, runtime, monitor and metrics, `admin` everything the token does.
 */
export const keyScopeSchema = z.enum(["inference", "read", "admin"]);
export type KeyScope = z.infer<typeof keyScopeSchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: keyScopeSchema,
  /** The key's first characters, to tell keys apart; the key itself is shown once. */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  requests: z.number().int().nonnegative(),
  /** Tokens generated for its requests. */
  tokens: z.number().int().nonnegative(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const apiKeysResponseSchema = z.object({ keys: z.array(apiKeySchema) });

export const createKeyRequestSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, dot, dash and underscore"),
  scope: keyScopeSchema,
});
export type CreateKeyRequest = z.infer<typeof createKeyRequestSchema>;

/** A new key: the only time the key itself is sent. */
export const createdKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedKey = z.infer<typeof createdKeySchema>;
