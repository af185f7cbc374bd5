import { parseArgs, type ParseArgsConfig } from "node:util";
import type { AgentClient } from "./AgentClient.js";
import { CliError } from "./cliError.js";
import type { CliSettings } from "./settings.js";

export interface CommandContext {
  client: AgentClient;
  settings: CliSettings;
  /** The command's own arguments, after the global flags were taken out. */
  args: string[];
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface Command {
  usage: string;
  summary: string;
  /** Resolves to the exit code (0 when omitted). */
  run: (context: CommandContext) => Promise<number | void>;
}

/** util.parseArgs with usage errors a person can act on. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw CliError.usage((error as Error).message, `Usage: quantdeck ${usage}`);
  }
}

export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(JSON.stringify(value, null, 2) + "\n");
}

export function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number))
    throw CliError.usage(`--${name} needs a whole number, not "${value}"`);
  return number;
}

export function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw CliError.usage(`--${name} needs a number, not "${value}"`);
  return number;
}
