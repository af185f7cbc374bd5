import { api } from "@quantdeck/shared";
import { CliError } from "../cliError.js";
import { parseCommandArgs, writeJson, type Command } from "../command.js";
import { formatBytes, formatParameters, table } from "../format.js";

export const listModelsCommand: Command = {
  usage: "ls",
  summary: "models on the agent's disks (models folder, Hugging Face cache, added folders)",
  run: async ({ client, settings, stdout }) => {
    const [{ models }, runtime] = await Promise.all([
      client.call(api.models),
      client.call(api.runtime),
    ]);
    if (settings.json) return writeJson(stdout, models);
    if (models.length === 0) {
      stdout.write("No models yet. Download one: quantdeck pull ORG/NAME --include PATTERN\n");
      return;
    }
    const rows = models.map((m) => [
      m.id,
      formatBytes(m.sizeBytes),
      m.quantType ?? "-",
      formatParameters(m.parameters),
      m.source,
      [
        runtime.model?.id === m.id && "loaded",
        m.synthetic && "synthetic",
        !m.complete && m.shards && `incomplete ${m.shards.present}/${m.shards.count}`,
      ]
        .filter(Boolean)
        .join(", "),
    ]);
    stdout.write(table(["ID", "SIZE", "QUANT", "PARAMS", "SOURCE", ""], rows) + "\n");
  },
};

export const removeModelCommand: Command = {
  usage: "rm MODEL",
  summary: "delete a model's files from the models folder",
  run: async ({ client, settings, args, stdout }) => {
    const { positionals } = parseCommandArgs(args, {}, "rm MODEL");
    const id = positionals[0];
    if (!id) throw CliError.usage("Which model?", "Usage: quantdeck rm MODEL (ids: quantdeck ls)");
    const result = await client.call(api.deleteModel, { query: { id } });
    if (settings.json) return writeJson(stdout, result);
    stdout.write(`Deleted ${result.deleted}\n`);
  },
};
