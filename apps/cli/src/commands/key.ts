import { api, keyScopeSchema, type ApiKey } from "@quantdeck/shared";
import { CliError } from "../cliError.js";
import { parseCommandArgs, writeJson, type Command } from "../command.js";
import { table } from "../format.js";

const USAGE = "key add NAME --scope inference|read|admin | key ls | key rm NAME|ID";

const row = (key: ApiKey) => [
  key.name,
  key.scope,
  `${key.prefix}…`,
  String(key.requests),
  String(key.tokens),
  key.lastUsedAt ?? "never",
];

export const keyCommand: Command = {
  usage: USAGE,
  summary: "named API keys with a scope: add (shown once), ls, rm (revoke)",
  run: async ({ client, settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(
      args,
      { scope: { type: "string", short: "s" } },
      USAGE,
    );
    const [action, name] = positionals;
    switch (action) {
      case "add": {
        if (!name) throw CliError.usage("Name the key", `Usage: quantdeck ${USAGE}`);
        const scope = keyScopeSchema.safeParse(values.scope);
        if (!scope.success)
          throw CliError.usage(
            "--scope must be inference, read or admin",
            "inference: the model APIs (/v1, Anthropic, Ollama); read: status, monitor, metrics; admin: everything",
          );
        const created = await client.call(api.createKey, { body: { name, scope: scope.data } });
        if (settings.json) return writeJson(stdout, created);
        stdout.write(`${created.key}\n`);
        stderr.write(
          `Key ${created.name} (${created.scope}) created. It is shown this once: store it now.\n`,
        );
        return;
      }
      case "ls": {
        const { keys } = await client.call(api.keys);
        if (settings.json) return writeJson(stdout, keys);
        if (keys.length === 0)
          return void stdout.write("No API keys. quantdeck key add NAME --scope inference\n");
        stdout.write(
          table(["NAME", "SCOPE", "KEY", "REQUESTS", "TOKENS", "LAST USED"], keys.map(row)),
        );
        return;
      }
      case "rm": {
        if (!name) throw CliError.usage("Name the key to revoke", `Usage: quantdeck ${USAGE}`);
        const { deleted } = await client.call(api.revokeKey, { params: { id: name } });
        if (settings.json) return writeJson(stdout, { revoked: deleted });
        stdout.write(`Revoked ${name}: requests with it fail from now on.\n`);
        return;
      }
      default:
        throw CliError.usage(`Unknown action "${action ?? ""}"`, `Usage: quantdeck ${USAGE}`);
    }
  },
};
