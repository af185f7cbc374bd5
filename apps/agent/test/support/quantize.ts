import { api, type QuantizeJob, type quantizeRequestSchema } from "@quantdeck/shared";
import type { z } from "zod";
import type { RunningAgent } from "./startAgent.js";

/** Makes a quant through the agent's API and waits until the job has ended; each state seen goes to `onUpdate`. */
export async function quantizeAndWait(
  agent: RunningAgent,
  body: z.input<typeof quantizeRequestSchema>,
  onUpdate: (job: QuantizeJob) => void = () => undefined,
): Promise<QuantizeJob> {
  let job = await agent.api.call(api.quantize, { body });
  onUpdate(job);
  while (job.state === "running") {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = await agent.api.call(api.quantizeJob, { params: { id: job.id } });
    onUpdate(job);
  }
  return job;
}
