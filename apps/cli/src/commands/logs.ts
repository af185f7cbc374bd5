import { setTimeout as sleep } from "node:timers/promises";
import { api, type LogLine } from "@quantdeck/shared";
import { integerOption, parseCommandArgs, type Command } from "../command.js";

const USAGE = "logs [-n LINES] [--follow]";
const FOLLOW_INTERVAL_MS = 1_000;

export const logsCommand: Command = {
  usage: USAGE,
  summary: "the agent's recent log lines (--follow keeps printing new ones)",
  run: async ({ client, settings, args, stdout }) => {
    const { values } = parseCommandArgs(
      args,
      { lines: { type: "string", short: "n" }, follow: { type: "boolean", short: "f" } },
      USAGE,
    );
    const count = Math.min(1000, Math.max(1, integerOption(values.lines, "lines") ?? 100));
    const print = (line: LogLine) =>
      stdout.write(settings.json ? JSON.stringify(line) + "\n" : `${line.time}  ${line.text}\n`);
    let { lines } = await client.call(api.logs, { query: { lines: count } });
    lines.forEach(print);
    if (!values.follow) return;
    let last = lines.at(-1);
    let stopped = false;
    process.once("SIGINT", () => (stopped = true));
    while (!stopped) {
      await sleep(FOLLOW_INTERVAL_MS);
      ({ lines } = await client.call(api.logs, { query: { lines: 1000 } }));
      // New lines are those after the last one printed (same time and text).
      const seen = last
        ? lines.findLastIndex((l) => l.time === last?.time && l.text === last.text)
        : -1;
      lines.slice(seen + 1).forEach(print);
      last = lines.at(-1) ?? last;
    }
  },
};
