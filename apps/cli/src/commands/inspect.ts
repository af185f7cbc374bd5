import { api, type QuantMix } from "@quantdeck/shared";
import { CliError } from "../cliError.js";
import { parseCommandArgs, writeJson, type Command } from "../command.js";
import { formatBytes, formatParameters, table } from "../format.js";

const USAGE = "inspect MODEL | inspect ORG/NAME --file PATH [--revision REV]";

/** A quant's mix as a table: every role and type, its bytes, share and bits per weight. */
export function printMix(mix: QuantMix, stdout: NodeJS.WritableStream) {
  stdout.write(
    `${mix.model}: ${mix.architecture}, ${formatParameters(mix.parameters)} parameters, ${formatBytes(mix.totalBytes)}, ${mix.bitsPerWeight} bits per weight (mostly ${mix.dominantType})\n\n`,
  );
  const rows = mix.entries.map((e) => [
    e.role,
    e.type,
    String(e.tensors),
    formatBytes(e.bytes),
    `${(e.share * 100).toFixed(1)}%`,
    e.bitsPerWeight.toFixed(2),
  ]);
  stdout.write(table(["ROLE", "TYPE", "TENSORS", "SIZE", "SHARE", "BITS/WEIGHT"], rows) + "\n");
}

export const inspectCommand: Command = {
  usage: USAGE,
  summary: "what is inside a quant: bytes per tensor type and role, from its headers",
  run: async ({ client, settings, args, stdout }) => {
    const { positionals, values } = parseCommandArgs(
      args,
      { file: { type: "string" }, revision: { type: "string" } },
      USAGE,
    );
    const model = positionals[0];
    if (!model) throw CliError.usage("Which model?", `Usage: quantdeck ${USAGE}`);
    let mix: QuantMix;
    if (values.file) {
      const [org, name, ...rest] = model.split("/");
      if (!org || !name || rest.length > 0)
        throw CliError.usage(`${model} is not a repository id`, "Use ORG/NAME with --file.");
      mix = await client.call(api.hubMix, {
        params: { org, name },
        query: { file: values.file, revision: values.revision ?? "main" },
      });
    } else {
      mix = await client.call(api.modelMix, { query: { id: model } });
    }
    if (settings.json) return writeJson(stdout, mix);
    printMix(mix, stdout);
  },
};
