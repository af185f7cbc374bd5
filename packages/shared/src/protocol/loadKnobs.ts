import {
  kvCacheTypeSchema,
  processPrioritySchema,
  type EngineCapabilities,
  type LoadOptions,
} from "./runtime";

/**
 * How a knob's value is written on a command line: a number, one of a few words, on/off, a
 * flag whose presence sets a boolean (`--mlock`) or clears it (`--no-mmap`), or a layer
 * count that may also be "auto" or "max".
 */
export type KnobSyntax =
  | { kind: "integer" }
  | { kind: "choice"; values: readonly string[] }
  | { kind: "onOff" }
  | { kind: "presenceSets"; value: boolean }
  | { kind: "layers" };

export interface LoadKnob {
  key: keyof LoadOptions;
  /** llama.cpp's own flag (llama-server, llama-cli), which the `quantdeck` CLI takes too. */
  flag: string;
  short?: string;
  syntax: KnobSyntax;
  /** The default, as a person reads it ("4096", "physical cores"). */
  defaultText: string;
  /** An engine capability the knob needs, when not every engine has it. */
  requires?: keyof EngineCapabilities;
}

/**
 * The load knobs, described once: the reference recipe's flags as llama.cpp spells them.
 * The CLI's flags and their parsing and llama-server's command line come from here; the
 * value ranges and the meaning of each are loadOptionsSchema's.
 */
export const LOAD_KNOBS: readonly LoadKnob[] = [
  {
    key: "contextSize",
    flag: "ctx-size",
    short: "c",
    syntax: { kind: "integer" },
    defaultText: "4096",
  },
  { key: "gpuLayers", flag: "n-gpu-layers", syntax: { kind: "layers" }, defaultText: "auto" },
  {
    key: "kvCacheKeyType",
    flag: "cache-type-k",
    syntax: { kind: "choice", values: kvCacheTypeSchema.options },
    defaultText: "f16",
  },
  {
    key: "kvCacheValueType",
    flag: "cache-type-v",
    syntax: { kind: "choice", values: kvCacheTypeSchema.options },
    defaultText: "the key's type for MLA models, else f16",
  },
  {
    key: "flashAttention",
    flag: "flash-attn",
    syntax: { kind: "onOff" },
    defaultText: "on for MLA models",
  },
  {
    key: "threads",
    flag: "threads",
    short: "t",
    syntax: { kind: "integer" },
    defaultText: "physical cores",
  },
  { key: "batchSize", flag: "batch-size", syntax: { kind: "integer" }, defaultText: "512" },
  {
    key: "useMmap",
    flag: "no-mmap",
    syntax: { kind: "presenceSets", value: false },
    defaultText: "mmap on",
  },
  {
    key: "useMlock",
    flag: "mlock",
    syntax: { kind: "presenceSets", value: true },
    defaultText: "off",
  },
  {
    key: "priority",
    flag: "prio",
    syntax: { kind: "choice", values: processPrioritySchema.options },
    defaultText: "normal",
  },
  { key: "parallel", flag: "parallel", syntax: { kind: "integer" }, defaultText: "1" },
  {
    key: "cpuMoeLayers",
    flag: "n-cpu-moe",
    syntax: { kind: "integer" },
    defaultText: "none",
    requires: "expertsOnCpu",
  },
];

/** The knob of an option key (every key of LoadOptions has one). */
export function knobOf(key: keyof LoadOptions): LoadKnob {
  const knob = LOAD_KNOBS.find((k) => k.key === key);
  if (!knob) throw new Error(`no load knob for ${key}`);
  return knob;
}

/**
 * A knob's value from its command-line text (or its presence, for flags without a value),
 * or a message saying what the flag takes. Ranges are checked later, by loadOptionsSchema.
 */
export function parseKnob(
  knob: LoadKnob,
  text: string | true,
): { ok: true; value: LoadOptions[keyof LoadOptions] } | { ok: false; message: string } {
  const { syntax } = knob;
  if (syntax.kind === "presenceSets") return { ok: true, value: syntax.value };
  if (text === true) return { ok: false, message: `--${knob.flag} takes a value` };
  const integer = /^\d+$/.test(text) ? Number(text) : null;
  switch (syntax.kind) {
    case "integer":
      return integer === null
        ? { ok: false, message: `--${knob.flag} takes a whole number` }
        : { ok: true, value: integer };
    case "layers":
      if (text === "auto" || text === "max") return { ok: true, value: text };
      return integer === null
        ? { ok: false, message: `--${knob.flag} takes a number, auto or max` }
        : { ok: true, value: integer };
    case "choice":
      return syntax.values.includes(text)
        ? { ok: true, value: text as LoadOptions[keyof LoadOptions] }
        : { ok: false, message: `--${knob.flag} is one of ${syntax.values.join(", ")}` };
    case "onOff":
      return text === "on" || text === "off"
        ? { ok: true, value: text === "on" }
        : { ok: false, message: `--${knob.flag} is on or off` };
  }
}

/** How the flag is written in a usage line: `[--ctx-size N]`, `[--mlock]`, … */
export function knobUsage(knob: LoadKnob): string {
  const { syntax } = knob;
  const value =
    syntax.kind === "presenceSets"
      ? ""
      : syntax.kind === "integer"
        ? " N"
        : syntax.kind === "layers"
          ? " N|auto|max"
          : syntax.kind === "onOff"
            ? " on|off"
            : ` ${syntax.values.join("|")}`;
  return `[--${knob.flag}${value}]`;
}
