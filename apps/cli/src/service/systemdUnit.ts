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

export function renderUnit(spec: UnitSpec): string {
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
    `ExecStart=${quote(spec.nodePath)} ${quote(spec.agentEntry)}`,
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

/** systemd's quoting for paths with spaces. */
function quote(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replace(/["\\]/g, "\\$&")}"` : value;
}
