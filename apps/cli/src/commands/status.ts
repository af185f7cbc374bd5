import { api } from "@quantdeck/shared";
import { writeJson, type Command } from "../command.js";
import { formatDuration, keyValues } from "../format.js";
import { describeEngine, describeHardware } from "./describe.js";

export const statusCommand: Command = {
  usage: "status",
  summary: "the agent, the engine, the loaded model and this box's hardware",
  run: async ({ client, settings, stdout }) => {
    const [status, runtime, hardware] = await Promise.all([
      client.call(api.status),
      client.call(api.runtime),
      client.call(api.hardware),
    ]);
    if (settings.json) return writeJson(stdout, { status, runtime, hardware });
    const rows = [
      [
        "Agent",
        `Quantdeck ${status.agentVersion} on ${status.hostname} at ${client.url.origin}, up ${formatDuration(status.uptimeSeconds)}${status.authRequired ? ", token required" : ""}`,
      ],
      ["Engine", describeEngine(runtime)],
      [
        "Queue",
        `${runtime.queue.running} running, ${runtime.queue.waiting} waiting (${runtime.queue.capacity || 1} at a time)`,
      ],
      ["Hardware", describeHardware(hardware)],
    ];
    if (runtime.lastError) rows.push(["Last error", `${runtime.lastError.title}`]);
    for (const warning of runtime.warnings) rows.push(["Warning", warning.title]);
    stdout.write(keyValues(rows) + "\n");
  },
};
