import { api, type QuantizeJob, type quantizeRequestSchema } from "@quantdeck/shared";
import type { z } from "zod";
import type { RunningAgent } from "./startAgent.js";

/** Makes a quant through the agent's API and waits until the job has ended. */
export async function quantizeAndWait(
  agent: RunningAgent,
  body: z.input<typeof quantizeRequestSchema>,
): Promise<QuantizeJob> {
  let job = await agent.api.call(api.quantize, { body });
  while (job.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = await agent.api.call(api.quantizeJob, { params: { id: job.id } });
  }
  return job;
}
