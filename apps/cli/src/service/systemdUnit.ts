import { isIP } from "node:net";

/** What the agent's systemd unit says; rendered by `quantdeck service install`. */
export interface UnitSpec {
  scope: "user" | "system";
  /** The node binary and the agent's entry point, absolute. */
  nodePath: string;
  agentEntry: string;
  workingDirectory: string;
  /** The address the agent binds, written in the unit so it is never implicit. */
  host: string;
  port: number;
  /** 0600 file with QUANTDECK_TOKEN=…, kept out of the unit (units are world-readable). */
  environmentFile: string;
  dataDir: string;
  /** System units only: the account the agent runs as. */
  user?: string;
}

export const UNIT_NAME = "quantdeck-agent.service";

/** A value the unit cannot hold safely: a line break would add directives of its own. */
export class UnitValueError extends Error {}

/** A bind address: an IP, or a host name of letters, digits, dots and dashes. */
export function isValidHost(host: string): boolean {
  return isIP(host) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host);
}

/** A user name as useradd accepts it. */
export function isValidUserName(name: string): boolean {
  return /^[a-z_][a-z0-9_-]{0,31}\$?$/i.test(name);
}

export function renderUnit(spec: UnitSpec): string {
  if (!isValidHost(spec.host))
    throw new UnitValueError(`not a bind address: ${JSON.stringify(spec.host)}`);
  if (spec.user !== undefined && !isValidUserName(spec.user))
    throw new UnitValueError(`not a user name: ${JSON.stringify(spec.user)}`);
  if (!Number.isInteger(spec.port) || spec.port < 0 || spec.port > 65535)
    throw new UnitValueError(`not a port: ${spec.port}`);
  const lines = [
    "# Written by `quantdeck service install`. Remove with `quantdeck service uninstall`.",
    "[Unit]",
    "Description=Quantdeck agent (llama.cpp runtime, model downloads, dashboard API)",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    ...(spec.scope === "system" && spec.user ? [`User=${spec.user}`] : []),
    `WorkingDirectory=${quote(spec.workingDirectory)}`,
    `ExecStart=${quote(spec.nodePath, { command: true })} ${quote(spec.agentEntry, { command: true })}`,
    `Environment=QUANTDECK_HOST=${spec.host}`,
    `Environment=QUANTDECK_PORT=${spec.port}`,
    `Environment=${quote(`QUANTDECK_DATA_DIR=${spec.dataDir}`)}`,
    // systemd creates /var/lib/quantdeck owned by User= (and keeps it 0700).
    ...(spec.dataDir === "/var/lib/quantdeck"
      ? ["StateDirectory=quantdeck", "StateDirectoryMode=0700"]
      : []),
    `EnvironmentFile=${quote(spec.environmentFile)}`,
    // The agent stops its engine and downloads cleanly on SIGTERM; give a big model time.
    "KillMode=mixed",
    "TimeoutStopSec=30",
    "Restart=on-failure",
    "RestartSec=5",
    // --mlock keeps a model in RAM; allow it without a system-wide limit change.
    "LimitMEMLOCK=infinity",
    "NoNewPrivileges=yes",
    "",
    "[Install]",
    `WantedBy=${spec.scope === "system" ? "multi-user.target" : "default.target"}`,
    "",
  ];
  return lines.join("\n");
}

/**
 * A value as systemd reads it back unchanged: `%` doubled (else a specifier such as `%h`),
 * `$` doubled on command lines (else a variable), quoted when it has spaces, quotes or
 * backslashes. Control characters are refused: a newline would start a directive of its own.
 */
function quote(value: string, { command = false }: { command?: boolean } = {}): string {
  if (/\p{Cc}/u.test(value))
    throw new UnitValueError(`control character in ${JSON.stringify(value)}`);
  let escaped = value.replace(/%/g, "%%");
  if (command) escaped = escaped.replace(/\$/g, "$$$$");
  return /[\s"\\]/.test(escaped) ? `"${escaped.replace(/["\\]/g, "\\$&")}"` : escaped;
}
