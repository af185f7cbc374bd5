import { readFileSync } from "node:fs";
import { CliError } from "./cliError.js";

export const DEFAULT_AGENT_URL = "http://127.0.0.1:7700";

export interface CliSettings {
  /** The agent: QUANTDECK_URL, default the local agent; a box's relay on it with --box. */
  url: URL;
  /** The box the commands go to, through the agent (--box, QUANTDECK_BOX). */
  box: string | undefined;
  token: string | undefined;
  /** Machine-readable output. */
  json: boolean;
  /** Where the dashboard is, for links: QUANTDECK_DASHBOARD_URL, default http://localhost:3000. */
  dashboardUrl: string;
  /** Who ran `sudo` (SUDO_USER): the account a system service runs as by default. */
  sudoUser: string | undefined;
}

/**
 * The CLI's settings, from global flags first, then the environment. This is the only
 * module that reads `process.env`.
 */
export function readSettings(
  flags: { url?: string; token?: string; json?: boolean; box?: string },
  env: NodeJS.ProcessEnv = process.env,
): CliSettings {
  const rawUrl = flags.url ?? env.QUANTDECK_URL ?? DEFAULT_AGENT_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw CliError.usage(
      `Not a URL: ${rawUrl}`,
      "Use the agent's address, e.g. http://127.0.0.1:7700.",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw CliError.usage(`The agent URL must be http or https: ${rawUrl}`);
  const box = flags.box ?? env.QUANTDECK_BOX;
  if (box !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(box))
    throw CliError.usage(`Not a box name: ${box}`, "See `quantdeck box ls`.");
  return {
    url: box ? new URL(`${url.origin}/api/boxes/${box}/relay`) : url,
    box,
    token: flags.token ?? env.QUANTDECK_TOKEN ?? tokenFromFile(env),
    json: !!flags.json,
    dashboardUrl: env.QUANTDECK_DASHBOARD_URL ?? "http://localhost:3000",
    sudoUser: env.SUDO_USER,
  };
}

/** QUANTDECK_TOKEN_FILE: a file holding the token, or `QUANTDECK_TOKEN=…` as the service writes it. */
function tokenFromFile(env: NodeJS.ProcessEnv): string | undefined {
  const path = env.QUANTDECK_TOKEN_FILE;
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(
      `Cannot read the token file ${path}`,
      `${(error as Error).message}. Check QUANTDECK_TOKEN_FILE.`,
    );
  }
  const assignment = /^QUANTDECK_TOKEN=(.*)$/m.exec(text);
  return (assignment ? assignment[1] : text)?.trim() || undefined;
}
