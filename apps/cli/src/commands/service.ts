import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CliError } from "../cliError.js";
import { integerOption, parseCommandArgs, writeJson, type Command } from "../command.js";
import { renderUnit, UNIT_NAME, UnitValueError, type UnitSpec } from "../service/systemdUnit.js";

const run = promisify(execFile);
const SYSTEM_STATE_DIR = "/var/lib/quantdeck";
const USAGE =
  "service install|status|uninstall [--system] [--host ADDR] [--port N] [--data-dir DIR] [--unit-dir DIR] [--config-dir DIR] [--no-start] [--print]";

const flags = {
  system: { type: "boolean" },
  host: { type: "string" },
  port: { type: "string" },
  "data-dir": { type: "string" },
  "unit-dir": { type: "string" },
  "config-dir": { type: "string" },
  "run-as": { type: "string" },
  "no-start": { type: "boolean" },
  print: { type: "boolean" },
} as const;

export const serviceCommand: Command = {
  usage: USAGE,
  summary: "run the agent as a systemd service (user by default, --system for boot without login)",
  run: async ({ settings, args, stdout, stderr }) => {
    const { values, positionals } = parseCommandArgs(args, flags, USAGE);
    const action = positionals[0];
    const scope = values.system ? "system" : "user";
    const unitDir = resolve(
      values["unit-dir"] ??
        (scope === "system" ? "/etc/systemd/system" : join(homedir(), ".config/systemd/user")),
    );
    const configDir = resolve(
      values["config-dir"] ??
        (scope === "system" ? "/etc/quantdeck" : join(homedir(), ".config/quantdeck")),
    );
    const unitPath = join(unitDir, UNIT_NAME);
    const envPath = join(configDir, "agent.env");
    const systemctl = (...rest: string[]) =>
      run("systemctl", [...(scope === "user" ? ["--user"] : []), ...rest]);

    if (action === "install") {
      const host = values.host ?? "127.0.0.1";
      const port = integerOption(values.port, "port") ?? 7700;
      const unit = renderSafely({
        scope,
        nodePath: process.execPath,
        agentEntry: agentEntry(),
        workingDirectory: resolve(dirname(agentEntry()), "../../.."),
        host,
        port,
        environmentFile: envPath,
        // A system service keeps its state where systemd makes it for the service's user.
        dataDir: resolve(
          values["data-dir"] ??
            (scope === "system" ? SYSTEM_STATE_DIR : join(homedir(), ".quantdeck")),
        ),
        ...(scope === "system" && {
          user: values["run-as"] ?? settings.sudoUser ?? userInfo().username,
        }),
      });
      if (values.print) return void stdout.write(unit);
      const token = ensureTokenFile(envPath);
      mkdirSync(unitDir, { recursive: true });
      writeFileSync(unitPath, unit);
      let started = false;
      if (!values["no-start"]) {
        try {
          await systemctl("daemon-reload");
          await systemctl("enable", "--now", UNIT_NAME);
          started = true;
        } catch (error) {
          throw new CliError(
            `Wrote ${unitPath}, but systemctl could not start it`,
            `${firstLine(error)}. Start it by hand: systemctl${scope === "user" ? " --user" : ""} enable --now ${UNIT_NAME}`,
          );
        }
      }
      const result = { unitPath, environmentFile: envPath, host, port, started };
      if (settings.json) return writeJson(stdout, result);
      stdout.write(
        [
          `Wrote ${unitPath}`,
          `Token in ${envPath} (mode 0600): the dashboard and the CLI ask for it.`,
          `  export QUANTDECK_TOKEN_FILE=${envPath}`,
          started
            ? `Started: the agent listens on http://${host.includes(":") ? `[${host}]` : host}:${port}`
            : `Not started (--no-start). Start it: systemctl${scope === "user" ? " --user" : ""} enable --now ${UNIT_NAME}`,
          scope === "user"
            ? "A user service stops at logout unless lingering is on: loginctl enable-linger $USER"
            : "",
          `Logs: journalctl ${scope === "user" ? "--user " : ""}-u ${UNIT_NAME} -f`,
        ]
          .filter(Boolean)
          .join("\n") + "\n",
      );
      if (token.created) stderr.write("A new token was generated.\n");
      return;
    }

    if (action === "status") {
      if (!existsSync(unitPath)) {
        if (settings.json) return writeJson(stdout, { installed: false, unitPath });
        stdout.write(`Not installed (no ${unitPath}). Install: quantdeck service install\n`);
        return 1;
      }
      const state = await systemctl("is-active", UNIT_NAME).then(
        ({ stdout: out }) => out.trim(),
        (error: { stdout?: string }) => error.stdout?.trim() || "unknown (systemctl unavailable)",
      );
      if (settings.json) return writeJson(stdout, { installed: true, unitPath, state });
      stdout.write(`${UNIT_NAME}: ${state}\nUnit: ${unitPath}\n`);
      return state === "active" ? 0 : 1;
    }

    if (action === "uninstall") {
      if (!existsSync(unitPath))
        throw new CliError(`Not installed: no ${unitPath}`, "Nothing to remove.");
      if (!values["no-start"])
        await systemctl("disable", "--now", UNIT_NAME).catch(() => undefined);
      rmSync(unitPath);
      if (!values["no-start"]) await systemctl("daemon-reload").catch(() => undefined);
      if (settings.json) return writeJson(stdout, { removed: unitPath, kept: envPath });
      stdout.write(
        `Removed ${unitPath}. Kept ${envPath} (the token) and the agent's data; delete them by hand if you want.\n`,
      );
      return;
    }

    throw CliError.usage(
      action ? `Unknown service action: ${action}` : "Which service action?",
      `Usage: quantdeck ${USAGE}`,
    );
  },
};

/** The built agent next to this CLI in the Quantdeck folder. */
function agentEntry(): string {
  const entry = fileURLToPath(new URL("../../agent/dist/main.js", import.meta.url));
  if (!existsSync(entry))
    throw new CliError(
      "The agent is not built",
      "Run `npm run build` in the Quantdeck folder first.",
    );
  return entry;
}

/** Keeps an existing token; otherwise writes a new random one. Either way the file is 0600. */
function ensureTokenFile(path: string): { created: boolean } {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (/^QUANTDECK_TOKEN=\S{16,}$/m.test(existing)) {
    chmodSync(path, 0o600);
    return { created: false };
  }
  const token = randomBytes(24).toString("hex");
  writeFileSync(
    path,
    `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}QUANTDECK_TOKEN=${token}\n`,
    {
      mode: 0o600,
    },
  );
  chmodSync(path, 0o600);
  return { created: true };
}

function firstLine(error: unknown): string {
  const text = (error as { stderr?: string }).stderr || (error as Error).message;
  return text.trim().split("\n")[0] ?? "";
}

/** The unit, or a usage error naming the value it could not hold (a newline in --host, …). */
function renderSafely(spec: UnitSpec): string {
  try {
    return renderUnit(spec);
  } catch (error) {
    if (error instanceof UnitValueError)
      throw CliError.usage(
        `Cannot write that into a service unit: ${error.message}`,
        "Give --host an IP address or host name, --run-as a user name, and paths without line breaks.",
      );
    throw error;
  }
}
