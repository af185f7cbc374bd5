import {
  LOAD_KNOBS,
  knobUsage,
  loadOptionsSchema,
  parseKnob,
  type LoadOptions,
} from "@quantdeck/shared";
import { CliError } from "../cliError.js";

/** The load knobs as flags, spelled as llama.cpp spells them so the guide's recipe carries over. */
export const loadFlags = {
  ...Object.fromEntries(
    LOAD_KNOBS.map((knob) => [
      knob.flag,
      {
        type: knob.syntax.kind === "presenceSets" ? ("boolean" as const) : ("string" as const),
        ...(knob.short !== undefined && { short: knob.short }),
      },
    ]),
  ),
  // Worker boxes by name (quantdeck box ls): the agent starts their RPC servers (--rpc).
  workers: { type: "string" as const },
};

export const LOAD_FLAGS_USAGE = `${LOAD_KNOBS.map(knobUsage).join(" ")} [--workers BOX,BOX]`;

type LoadFlagValues = Record<string, string | boolean | undefined>;

/** The load options the flags give, checked as the agent will check them. */
export function loadOptionsFrom(values: LoadFlagValues): LoadOptions {
  const options: Record<string, unknown> = {};
  for (const knob of LOAD_KNOBS) {
    const given = values[knob.flag];
    if (given === undefined || given === false) continue;
    const parsed = parseKnob(knob, given);
    if (!parsed.ok) throw CliError.usage(parsed.message);
    options[knob.key] = parsed.value;
  }
  if (typeof values.workers === "string")
    options.workers = values.workers
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
  const checked = loadOptionsSchema.safeParse(options);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const knob = LOAD_KNOBS.find((k) => k.key === issue?.path[0]);
    throw CliError.usage(`--${knob?.flag ?? "option"}: ${issue?.message ?? "not valid"}`);
  }
  return checked.data;
}
