import { styleText } from "node:util";
import { AgentClient } from "./AgentClient.js";
import { CliError, ExitCode } from "./cliError.js";
import type { Command } from "./command.js";
import { benchCommand } from "./commands/bench.js";
import { compareCommand } from "./commands/compare.js";
import { loadCommand, processesCommand, unloadCommand } from "./commands/engine.js";
import { hardwareCommand } from "./commands/hardware.js";
import { inspectCommand } from "./commands/inspect.js";
import { boxCommand } from "./commands/box.js";
import { keyCommand } from "./commands/key.js";
import { logsCommand } from "./commands/logs.js";
import { listModelsCommand, removeModelCommand } from "./commands/models.js";
import { planCommand } from "./commands/plan.js";
import { pullCommand } from "./commands/pull.js";
import { qualityCommand } from "./commands/quality.js";
import { quantizeCommand } from "./commands/quantize.js";
import { runCommand } from "./commands/run.js";
import { serviceCommand } from "./commands/service.js";
import { statusCommand } from "./commands/status.js";
import { DEFAULT_AGENT_URL, readSettings } from "./settings.js";

const COMMANDS: Record<string, Command> = {
  status: statusCommand,
  hw: hardwareCommand,
  plan: planCommand,
  pull: pullCommand,
  ls: listModelsCommand,
  rm: removeModelCommand,
  inspect: inspectCommand,
  quantize: quantizeCommand,
  quality: qualityCommand,
  load: loadCommand,
  unload: unloadCommand,
  ps: processesCommand,
  run: runCommand,
  bench: benchCommand,
  compare: compareCommand,
  logs: logsCommand,
  key: keyCommand,
  box: boxCommand,
  service: serviceCommand,
};

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return `quantdeck: drive a Quantdeck agent, on this machine or a remote one.

Usage: quantdeck [--url URL] [--token TOKEN] [--box NAME] [--json] COMMAND [ARGS]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`)
  .join("\n")}

  quantdeck help COMMAND shows a command's arguments.

Agent:  --url, or QUANTDECK_URL (default ${DEFAULT_AGENT_URL})
Token:  --token, or QUANTDECK_TOKEN, or QUANTDECK_TOKEN_FILE (a file holding it)
Box:    --box NAME, or QUANTDECK_BOX: any command on another box, through the agent
Output: --json for scripts (one JSON document on stdout)
Exit codes: 0 ok, 1 failed, 2 usage, 3 agent unreachable, 4 token missing or wrong, 130 Ctrl-C
`;
}

/** Global flags may come anywhere; the rest is the command's. */
function splitGlobalFlags(argv: string[]) {
  const flags: { url?: string; token?: string; box?: string; json?: boolean; help?: boolean } = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith("--") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (name === "--url" || name === "--token" || name === "--box") {
      const value = inline ?? argv[++i];
      if (value === undefined) throw CliError.usage(`${name} needs a value`);
      flags[name.slice(2) as "url" | "token" | "box"] = value;
    } else if (arg === "--json") flags.json = true;
    else if (arg === "--help" || arg === "-h") flags.help = true;
    else if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    } else rest.push(arg);
  }
  return { flags, rest };
}

async function main(argv: string[]): Promise<number> {
  const { flags, rest } = splitGlobalFlags(argv);
  const [name, ...args] = rest;
  if (name === "--version" || name === "-v" || name === "version") {
    process.stdout.write("quantdeck 0.1.0\n");
    return ExitCode.ok;
  }
  if (!name || name === "help" || (flags.help && !name)) {
    const topic = name === "help" ? args[0] : undefined;
    const command = topic ? COMMANDS[topic] : undefined;
    process.stdout.write(
      command ? `Usage: quantdeck ${command.usage}\n\n${command.summary}\n` : helpText(),
    );
    return name || flags.help ? ExitCode.ok : ExitCode.usage;
  }
  const command = COMMANDS[name];
  if (!command) throw CliError.usage(`Unknown command: ${name}`, "See `quantdeck help`.");
  if (flags.help) {
    process.stdout.write(`Usage: quantdeck ${command.usage}\n\n${command.summary}\n`);
    return ExitCode.ok;
  }
  const settings = readSettings(flags);
  const client = new AgentClient(settings.url, settings.token);
  const code = await command.run({
    client,
    settings,
    args,
    stdout: process.stdout,
    stderr: process.stderr,
  });
  return code ?? ExitCode.ok;
}

function report(error: unknown, json: boolean): number {
  const cliError =
    error instanceof CliError
      ? error
      : new CliError(
          error instanceof Error ? error.message : String(error),
          "This is a bug in the CLI; please report it with the command you ran.",
        );
  if (json)
    process.stderr.write(
      JSON.stringify({
        error: { code: cliError.code, title: cliError.title, hint: cliError.hint },
      }) + "\n",
    );
  else
    process.stderr.write(
      `${styleText("red", "Error:")} ${cliError.title}\n${cliError.hint ? `  ${cliError.hint}\n` : ""}`,
    );
  return cliError.exitCode;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error, argv.includes("--json"));
  },
);
