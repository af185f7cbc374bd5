import { kvCacheTypeSchema, processPrioritySchema, type LoadOptions } from "@quantdeck/shared";
import { CliError } from "../cliError.js";
import { integerOption } from "../command.js";

/** The load knobs, spelled as llama.cpp spells them so the guide's recipe carries over. */
export const loadFlags = {
  "ctx-size": { type: "string", short: "c" },
  "n-gpu-layers": { type: "string" },
  "cache-type-k": { type: "string" },
  "cache-type-v": { type: "string" },
  "flash-attn": { type: "string" },
  threads: { type: "string", short: "t" },
  "batch-size": { type: "string" },
  "no-mmap": { type: "boolean" },
  mlock: { type: "boolean" },
  prio: { type: "string" },
  parallel: { type: "string" },
} as const;

export const LOAD_FLAGS_USAGE =
  "[--ctx-size N] [--n-gpu-layers N|auto|max] [--cache-type-k T] [--cache-type-v T] [--flash-attn on|off] [--threads N] [--batch-size N] [--no-mmap] [--mlock] [--prio normal|medium|high|realtime] [--parallel N]";

type LoadFlagValues = Partial<Record<keyof typeof loadFlags, string | boolean | undefined>>;

export function loadOptionsFrom(values: LoadFlagValues): LoadOptions {
  const text = (name: keyof typeof loadFlags) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const options: LoadOptions = {};
  const contextSize = integerOption(text("ctx-size"), "ctx-size");
  if (contextSize !== undefined) options.contextSize = contextSize;
  const layers = text("n-gpu-layers");
  if (layers !== undefined)
    options.gpuLayers =
      layers === "auto" || layers === "max" ? layers : integerOption(layers, "n-gpu-layers");
  for (const [flag, key] of [
    ["cache-type-k", "kvCacheKeyType"],
    ["cache-type-v", "kvCacheValueType"],
  ] as const) {
    const value = text(flag);
    if (value === undefined) continue;
    const parsed = kvCacheTypeSchema.safeParse(value);
    if (!parsed.success) throw CliError.usage(`--${flag} is one of f16, q8_0, q4_0`);
    options[key] = parsed.data;
  }
  const flash = text("flash-attn");
  if (flash !== undefined) {
    if (!["on", "off"].includes(flash)) throw CliError.usage("--flash-attn is on or off");
    options.flashAttention = flash === "on";
  }
  const threads = integerOption(text("threads"), "threads");
  if (threads !== undefined) options.threads = threads;
  const batchSize = integerOption(text("batch-size"), "batch-size");
  if (batchSize !== undefined) options.batchSize = batchSize;
  if (values["no-mmap"]) options.useMmap = false;
  if (values.mlock) options.useMlock = true;
  const prio = text("prio");
  if (prio !== undefined) {
    const parsed = processPrioritySchema.safeParse(prio);
    if (!parsed.success) throw CliError.usage("--prio is one of normal, medium, high, realtime");
    options.priority = parsed.data;
  }
  const parallel = integerOption(text("parallel"), "parallel");
  if (parallel !== undefined) options.parallel = parallel;
  return options;
}
