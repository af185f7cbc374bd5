import { z } from "zod";

/**
 * Every error the agent reports, by code, with the HTTP status it travels with: one table,
 * and the compiler checks that every code has its status. The dashboard shows `title` and
 * `hint`; a client decides by `code`.
 */
export const ERROR_STATUS = {
  // The request itself
  badRequest: 400,
  invalidMessage: 400,
  unknownMessageType: 400,
  handshakeRequired: 400,
  alreadyGreeted: 400,
  unauthorized: 401,
  forbiddenHost: 403,
  forbiddenOrigin: 403,
  forbiddenScope: 403,
  notFound: 404,
  unknownKey: 404,
  keyExists: 409,
  payloadTooLarge: 413,
  // The dashboard's relay
  agentUnreachable: 502,
  // Models and the engine
  unknownModel: 404,
  incompleteModel: 409,
  badModel: 409,
  invalidLoadOptions: 400,
  modelNotLoaded: 409,
  modelInUse: 409,
  modelNotDeletable: 409,
  modelLoadFailed: 400,
  engineCrashed: 503,
  engineUnavailable: 409,
  busy: 429,
  promptTooLong: 413,
  unsupportedSchema: 400,
  generationFailed: 500,
  cancelled: 409,
  // The hub and downloads
  unknownRepo: 404,
  hubUnreachable: 503,
  hubUnauthorized: 401,
  unknownDownload: 404,
  noMatchingFiles: 400,
  notEnoughDisk: 409,
  diskFull: 409,
  checksumMismatch: 502,
  downloadFailed: 400,
  // Comparisons
  unknownPrompt: 400,
  unknownCompareRun: 404,
  tooManyRuns: 409,
  // The agent's own fault
  unknownQuantizeJob: 404,
  unknownQualityRun: 404,
  modelsDiffer: 400,
  modelExists: 409,
  toolMissing: 409,
  toolFailed: 500,
  // Boxes
  unknownBox: 404,
  boxExists: 409,
  boxUnreachable: 502,
  boxUnauthorized: 502,
  rpcBusy: 409,
  rpcFailed: 502,
  internal: 500,
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 502 | 503>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];
export const errorCodes = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const errorCodeSchema = z.enum(errorCodes);

/** The one shape of an error on the wire: a code, a title a person reads, and what to do. */
export const apiErrorSchema = z.object({
  code: errorCodeSchema,
  title: z.string(),
  hint: z.string().optional(),
  /** The figures in the title, so a dashboard can say it in its own language (ERROR_TEXT). */
  values: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  /** Detail for logs and bug reports; never a stack trace or a local path. */
  cause: z.string().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** HTTP error bodies wrap the error so that a body is always an object with one key. */
export const errorResponseSchema = z.object({ error: apiErrorSchema });
