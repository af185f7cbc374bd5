import { readFileSync } from "node:fs";
import { api, type Box, type BoxCheck } from "@quantdeck/shared";
import { CliError, ExitCode } from "../cliError.js";
import { parseCommandArgs, writeJson, type Command } from "../command.js";
import { formatBytes, table } from "../format.js";

const USAGE =
  "box add NAME URL [--token-file FILE | --box-token TOKEN] | box ls | box test NAME | box rename NAME NEW | box rm NAME";

function readToken(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    throw CliError.usage(`Cannot read ${path}`, (error as Error).message);
  }
}

/** A check in a few words: what a person needs to know at a glance. */
function describe(check: BoxCheck | null): string {
  if (!check) return "not checked";
  if (!check.reachable) return check.problem ?? "unreachable";
  if (check.auth === "wrong") return "token refused";
  if (check.auth === "missing") return "needs a token";
  if (!check.compatible) return check.problem ?? "other protocol";
  return "ok";
}

function summary(check: BoxCheck | null): string {
  const s = check?.summary;
  if (!s) return "-";
  const gpus = s.gpus.map((g) => `${g.name} ${formatBytes(g.vramBytes)}`).join(", ");
  return `${formatBytes(s.ramBytes)} RAM${gpus ? `, ${gpus}` : ""}${s.loadedModel ? ` · ${s.loadedModel}` : ""}`;
}

const row = (box: Box) => [
  box.name,
  box.url,
  box.hasToken ? "yes" : "no",
  describe(box.check),
  summary(box.check),
];

export const boxCommand: Command = {
  usage: USAGE,
  summary: "other agents this one manages: add (tested), ls, test, rename, rm; --box NAME uses one",
  run: async ({ client, settings, args, stdout, stderr }) => {
    if (settings.box) throw CliError.usage("Manage boxes on the agent itself, without --box");
    const { values, positionals } = parseCommandArgs(
      args,
      // Not --token: that one is the CLI's own, for the agent it talks to.
      { "box-token": { type: "string" }, "token-file": { type: "string" } },
      USAGE,
    );
    const [action, name, extra] = positionals;
    const needName = () => {
      if (!name) throw CliError.usage("Name the box", `Usage: quantdeck ${USAGE}`);
      return name;
    };
    switch (action) {
      case "add": {
        if (!extra) throw CliError.usage("Give the box's URL", "E.g. http://10.0.0.2:7700.");
        // From a file, so that it is neither in the shell's history nor in `ps`.
        const token = values["token-file"] ? readToken(values["token-file"]) : values["box-token"];
        const box = await client.call(api.addBox, {
          body: { name: needName(), url: extra, ...(token && { token }) },
        });
        if (settings.json) return writeJson(stdout, box);
        stdout.write(`Added ${box.name}: ${describe(box.check)}\n`);
        return box.check && describe(box.check) !== "ok" ? ExitCode.failed : undefined;
      }
      case "ls": {
        const { boxes } = await client.call(api.boxes, { query: { refresh: "true" } });
        if (settings.json) return writeJson(stdout, boxes);
        if (boxes.length === 0)
          return void stdout.write("No boxes. quantdeck box add NAME URL --token TOKEN\n");
        stdout.write(table(["NAME", "URL", "TOKEN", "STATE", "HARDWARE"], boxes.map(row)));
        return;
      }
      case "test": {
        const check = await client.call(api.testBox, { params: { name: needName() } });
        if (settings.json) return writeJson(stdout, check);
        stdout.write(`${name}: ${describe(check)}\n`);
        if (check.summary) stdout.write(`  ${check.summary.cpu}; ${summary(check)}\n`);
        if (describe(check) !== "ok") {
          if (check.problem) stderr.write(`${check.problem}\n`);
          return ExitCode.failed;
        }
        return;
      }
      case "rename": {
        if (!extra) throw CliError.usage("Give the new name");
        const box = await client.call(api.updateBox, {
          params: { name: needName() },
          body: { name: extra },
        });
        if (settings.json) return writeJson(stdout, box);
        stdout.write(`Renamed ${name} to ${box.name}\n`);
        return;
      }
      case "rm": {
        await client.call(api.deleteBox, { params: { name: needName() } });
        if (settings.json) return writeJson(stdout, { deleted: name });
        stdout.write(`Removed ${name}\n`);
        return;
      }
      default:
        throw CliError.usage(`Usage: quantdeck ${USAGE}`);
    }
  },
};
