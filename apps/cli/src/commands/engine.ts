import { api, type LoadedModel, type LoadOptions } from "@quantdeck/shared";
import type { AgentClient } from "../AgentClient.js";
import { AgentConnection } from "../AgentConnection.js";
import { CliError } from "../cliError.js";
import { parseCommandArgs, writeJson, type Command } from "../command.js";
import { formatBytes, keyValues, progressBar } from "../format.js";
import { describeEngine, describeLoaded } from "./describe.js";
import { LOAD_FLAGS_USAGE, loadFlags, loadOptionsFrom } from "./loadOptions.js";

const LOAD_USAGE = `load MODEL ${LOAD_FLAGS_USAGE}`;

export const loadCommand: Command = {
  usage: LOAD_USAGE,
  summary: "load a model into the engine with the recipe's knobs (llama.cpp's flag names)",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(args, loadFlags, LOAD_USAGE);
    const model = positionals[0];
    if (!model) throw CliError.usage("Which model?", `Usage: quantdeck ${LOAD_USAGE}`);
    const loaded = await loadWithProgress(
      client,
      model,
      loadOptionsFrom(values),
      settings.json ? null : stderr,
    );
    if (settings.json) return writeJson(stdout, loaded);
    stdout.write(
      keyValues([
        ["Loaded", describeLoaded(loaded)],
        ["In", `${loaded.loadSeconds.toFixed(1)} s`],
        [
          "Memory",
          `RAM ${formatBytes(loaded.memory.actual.ramBytes)} (predicted ${formatBytes(loaded.memory.predicted.ramBytes)}), VRAM ${formatBytes(loaded.memory.actual.vramBytes)} (predicted ${formatBytes(loaded.memory.predicted.vramBytes)})`,
        ],
      ]) + "\n",
    );
  },
};

export const unloadCommand: Command = {
  usage: "unload",
  summary: "unload the model, freeing its memory",
  run: async ({ client, settings, stdout }) => {
    const status = await client.call(api.unload);
    if (settings.json) return writeJson(stdout, status);
    stdout.write("Unloaded.\n");
  },
};

export const processesCommand: Command = {
  usage: "ps",
  summary: "the engine: loaded model, settings, generations running and waiting",
  run: async ({ client, settings, stdout }) => {
    const runtime = await client.call(api.runtime);
    if (settings.json) return writeJson(stdout, runtime);
    const rows = [
      ["Engine", describeEngine(runtime)],
      [
        "Generations",
        `${runtime.queue.running} running, ${runtime.queue.waiting} waiting (${runtime.queue.capacity || 1} at a time)`,
      ],
      ["Engine pid", runtime.enginePid === null ? "-" : String(runtime.enginePid)],
      ["Restarts", String(runtime.engineRestarts)],
    ];
    if (runtime.model)
      rows.push([
        "Memory",
        `RAM ${formatBytes(runtime.model.memory.actual.ramBytes)}, VRAM ${formatBytes(runtime.model.memory.actual.vramBytes)}`,
      ]);
    if (runtime.lastError) rows.push(["Last error", runtime.lastError.title]);
    for (const warning of runtime.warnings) rows.push(["Warning", warning.title]);
    for (const bad of runtime.badModels) rows.push(["Bad model", bad]);
    stdout.write(keyValues(rows) + "\n");
  },
};

/** Loads a model, drawing the engine's load progress on a terminal. */
export async function loadWithProgress(
  client: AgentClient,
  model: string,
  options: LoadOptions,
  progress: NodeJS.WriteStream | null,
): Promise<LoadedModel> {
  let connection: AgentConnection | null = null;
  if (progress?.isTTY) {
    connection = await AgentConnection.open(client).catch(() => null);
    connection?.on("runtime", (runtime) => {
      if (runtime.state === "loading" && runtime.loadProgress !== null)
        progress.write(
          `\r\x1b[2KLoading ${model}  ${progressBar(runtime.loadProgress)} ${Math.round(runtime.loadProgress * 100)}%`,
        );
    });
  } else progress?.write(`Loading ${model}…\n`);
  try {
    return await client.call(api.load, { body: { model, options } });
  } finally {
    if (connection) {
      progress?.write("\r\x1b[2K");
      connection.close();
    }
  }
}

/** The model, loaded with default knobs unless it already is. */
export async function ensureLoaded(
  client: AgentClient,
  model: string,
  progress: NodeJS.WriteStream | null,
): Promise<void> {
  const runtime = await client.call(api.runtime);
  if (runtime.state === "ready" && runtime.model?.id === model) return;
  await loadWithProgress(client, model, {}, progress);
}
