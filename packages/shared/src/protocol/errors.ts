import { z } from "zod";

/** Every error the agent reports, by code. The dashboard shows `title` and `hint`. */
export const errorCodes = [
  "badRequest",
  "invalidMessage",
  "unknownMessageType",
  "handshakeRequired",
  "alreadyGreeted",
  "unknownTopic",
  "unauthorized",
  "forbiddenHost",
  "forbiddenOrigin",
  "notFound",
  "methodNotAllowed",
  "payloadTooLarge",
  "agentUnreachable",
  "unknownModel",
  "incompleteModel",
  "unknownRepo",
  "hubUnreachable",
  "hubUnauthorized",
  "unknownDownload",
  "noMatchingFiles",
  "notEnoughDisk",
  "diskFull",
  "checksumMismatch",
  "downloadFailed",
  "badModel",
  "invalidLoadOptions",
  "modelNotLoaded",
  "modelInUse",
  "modelNotDeletable",
  "modelLoadFailed",
  "engineCrashed",
  "engineUnavailable",
  "busy",
  "promptTooLong",
  "generationFailed",
  "cancelled",
  "unknownPrompt",
  "unknownCompareRun",
  "tooManyRuns",
  "sandboxUnavailable",
  "internal",
] as const;

export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** The one shape of an error on the wire: a code, a title a person reads, and what to do. */
export const apiErrorSchema = z.object({
  code: errorCodeSchema,
  title: z.string(),
  hint: z.string().optional(),
  /** Detail for logs and bug reports; never a stack trace or a local path. */
  cause: z.string().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** HTTP error bodies wrap the error so that a body is always an object with one key. */
export const errorResponseSchema = z.object({ error: apiErrorSchema });
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
