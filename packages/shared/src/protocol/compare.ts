import { agentTextSchema } from "../i18n/agentText";
import { z } from "zod";
import { apiErrorSchema } from "./errors";
import { generationStatsSchema, loadOptionsSchema, samplingSchema } from "./runtime";

/** What a comparison's prompt asks for; decides the checks and whether SPACE is pressed. */
export const comparePromptKindSchema = z.enum(["heptagon", "flappyBird", "custom"]);
export type ComparePromptKind = z.infer<typeof comparePromptKindSchema>;

/**
 * One column of a comparison: a model and its load settings (e.g. KV q8_0 versus q4_0), or
 * an answer pasted from elsewhere (DeepSeek's own chat, a cloud API) to compare against.
 */
export const compareTargetSchema = z
  .object({
    model: z.string().min(1).max(1024).optional(),
    pastedAnswer: z.string().min(1).max(200_000).optional(),
    /** Shown above the column; defaults to the model and the settings that differ. */
    label: z.string().max(100).optional(),
    options: loadOptionsSchema.default({}),
  })
  .refine((t) => (t.model === undefined) !== (t.pastedAnswer === undefined), {
    message: "give either model or pastedAnswer",
  });
export type CompareTarget = z.infer<typeof compareTargetSchema>;

export const startCompareRequestSchema = z
  .object({
    /** A prompt from the guide (seed data): "heptagon", "flappy-bird", … */
    promptId: z.string().max(100).optional(),
    /** Or the user's own prompt. */
    customPrompt: z
      .object({
        title: z.string().min(1).max(200),
        text: z.string().min(1).max(100_000),
        kind: comparePromptKindSchema.default("custom"),
      })
      .optional(),
    language: z.enum(["en", "ja"]).default("en"),
    targets: z.array(compareTargetSchema).min(1).max(8),
    /** Fixed seed by default (the guide's 3407), so a run can be repeated. */
    sampling: samplingSchema.default({}),
    /** Seconds of each program's window to record. */
    recordSeconds: z.number().int().min(2).max(60).default(8),
  })
  .refine((r) => (r.promptId === undefined) !== (r.customPrompt === undefined), {
    message: "give either promptId or customPrompt",
  });
export type StartCompareRequest = z.infer<typeof startCompareRequestSchema>;

/** A static heuristic on the code, with the line that decided it. */
export const compareCheckSchema = z.object({
  id: z.string(),
  /** English; the dashboard shows its own translation by id. */
  label: z.string(),
  passed: z.boolean(),
  evidence: z.object({ line: z.number().int(), text: z.string() }).nullable(),
  /** Why it passed or failed when a line does not say it (e.g. "17 of 20 colours"). */
  detail: z.string().optional(),
});
export type CompareCheck = z.infer<typeof compareCheckSchema>;

export const executionOutcomeSchema = z.enum([
  /** Still running when the recording ended: what a game or an animation should do. */
  "ran",
  /** Ended by itself with exit code 0. */
  "exited",
  /** Ended with an error (a traceback, a limit hit, a signal). */
  "crashed",
  /** Did not finish within the sandbox's wall-clock limit and was killed. */
  "timedOut",
]);

/** What a sandbox may run out of: memory, processes, CPU time, disk, one file's size, wall-clock time. */
export const sandboxLimitSchema = z.enum([
  "memory",
  "processes",
  "cpu",
  "disk",
  "fileSize",
  "time",
]);
export type SandboxLimit = z.infer<typeof sandboxLimitSchema>;

/** What a program was seen to do, judged against the prompt (see compare/behaviour/). */
export const behaviourVerdictSchema = z.object({
  id: z.enum([
    "balls",
    "numbered",
    "heptagon",
    "spins",
    "inside",
    "gravity",
    "ballCollisions",
    "bounceHeight",
    "colours",
    "numbersSpin",
    "moves",
    "flap",
    "falls",
    "pipesMove",
    "score",
    "roundEnds",
    "bestScore",
    "restarts",
    "quits",
    "background",
    "birdColour",
    "land",
    "pipeColours",
  ]),
  passed: z.boolean(),
  /** What was measured, in words. */
  figure: agentTextSchema,
  /** Seconds into the recording of the moment that decides it (a first failure), if one does. */
  at: z.number().nullable(),
});
export type BehaviourVerdict = z.infer<typeof behaviourVerdictSchema>;

export const behaviourSchema = z.object({
  /**
   * How the program was watched: its tkinter canvas items or its pygame drawing, frame by
   * frame; or, when neither could be seen (another toolkit, drawing into images), only the
   * recording's frames ("frames"); "none" when there was nothing to judge by.
   */
  method: z.enum(["tkinterCanvas", "pygameDraw", "frames", "none"]),
  verdicts: z.array(behaviourVerdictSchema),
});
export type Behaviour = z.infer<typeof behaviourSchema>;

export const compareExecutionSchema = z.object({
  outcome: executionOutcomeSchema,
  exitCode: z.number().int().nullable(),
  /** Whether a window appeared. */
  window: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  /** The last Python traceback in stderr, if any. */
  traceback: z.string().nullable(),
  /** Frames of the recording looked at by the agent: shown something, and moving. */
  frames: z.object({
    count: z.number().int(),
    nonBlank: z.number().int(),
    changing: z.number().int(),
  }),
  hasRecording: z.boolean(),
  seconds: z.number(),
  /** The sandbox limit that ended or hampered the program, if one did. */
  limit: sandboxLimitSchema.nullable().default(null),
  /** How the limits applied: to the sandbox as a whole (a cgroup) or per process only. */
  limitScope: z.enum(["sandbox", "process"]).default("process"),
  /** The prompt's behaviours, judged from what the program drew (runs before it: none). */
  behaviour: behaviourSchema.nullable().default(null),
});
export type CompareExecution = z.infer<typeof compareExecutionSchema>;

export const compareAnswerStateSchema = z.enum([
  "pending",
  "loading",
  "generating",
  "checking",
  "running",
  "done",
  "failed",
  "cancelled",
]);

export const compareAnswerSchema = z.object({
  index: z.number().int(),
  target: compareTargetSchema,
  label: z.string(),
  state: compareAnswerStateSchema,
  text: z.string(),
  stats: generationStatsSchema.nullable(),
  error: apiErrorSchema.nullable(),
  /** The answer's final Python code block, or null if it has none. */
  code: z.string().nullable(),
  syntax: z
    .object({ ok: z.boolean(), line: z.number().int().nullable(), message: z.string().nullable() })
    .nullable(),
  checks: z.array(compareCheckSchema),
  /** Null when the program was not run: no code, a syntax error, or no sandbox. */
  execution: compareExecutionSchema.nullable(),
  /** Why the program was not run, when it was not. */
  notRunReason: z.string().nullable(),
});
export type CompareAnswer = z.infer<typeof compareAnswerSchema>;

export const sandboxStatusSchema = z.object({
  available: z.boolean(),
  /** Programs that were looked for and not found (or do not work here). */
  missing: z.array(z.string()),
  /** What to install, as one command line. */
  hint: z.string().nullable(),
});
export type SandboxStatus = z.infer<typeof sandboxStatusSchema>;

export const compareRunSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  prompt: z.object({
    id: z.string().nullable(),
    title: z.string(),
    text: z.string(),
    language: z.enum(["en", "ja"]),
    kind: comparePromptKindSchema,
  }),
  sampling: samplingSchema,
  recordSeconds: z.number().int(),
  state: z.enum(["queued", "running", "done", "cancelled", "failed"]),
  answers: z.array(compareAnswerSchema),
  sandbox: sandboxStatusSchema,
});
export type CompareRun = z.infer<typeof compareRunSchema>;

/** What the list of runs shows of each: enough to find one, never its answers' texts. */
export const compareRunSummarySchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  state: compareRunSchema.shape.state,
  prompt: compareRunSchema.shape.prompt.pick({ title: true, kind: true }),
  answers: z.array(compareAnswerSchema.pick({ label: true, state: true })),
});
export type CompareRunSummary = z.infer<typeof compareRunSummarySchema>;

export function summarizeCompareRun(run: CompareRun): CompareRunSummary {
  return {
    id: run.id,
    createdAt: run.createdAt,
    state: run.state,
    prompt: { title: run.prompt.title, kind: run.prompt.kind },
    answers: run.answers.map(({ label, state }) => ({ label, state })),
  };
}

/** `GET /api/compare/runs?limit=50&cursor=…`: newest first, a page at a time. */
export const compareRunsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** From the previous page's `nextCursor`. */
  cursor: z
    .string()
    .regex(/^\d{1,15}:[\w-]{1,64}$/)
    .optional(),
});

export const compareRunsResponseSchema = z.object({
  runs: z.array(compareRunSummarySchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type CompareRunsResponse = z.infer<typeof compareRunsResponseSchema>;
