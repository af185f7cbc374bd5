// What the resource monitor costs: CPU time spent sampling at 1 Hz, as a share of one
// core, against the same process idling for the same time (the baseline), in one run.
//   npm run bench:monitor -w @quantdeck/bench
import { ResourceSampler } from "@quantdeck/agent/monitor";

const SECONDS = 15;
const TIGHT_SAMPLES = 2000;

const sources = {
  enginePid: () => process.pid,
  generation: () => ({ tokensTotal: 0, running: 0, waiting: 0 }),
  watchNvidiaGpus: false,
};
const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Let start-up work (module compilation, GC) finish before anything is measured.
await wait(3000);

// Baseline: the process doing nothing for the same time.
let start = process.cpuUsage();
await wait(SECONDS * 1000);
const idle = cpuSeconds(process.cpuUsage(start)) / SECONDS;

// The sampler on its own timer, as in the agent.
const sampler = new ResourceSampler(sources);
start = process.cpuUsage();
sampler.start();
await wait(SECONDS * 1000);
sampler.stop();
const sampling = cpuSeconds(process.cpuUsage(start)) / SECONDS;

// One sample's cost, from many back to back.
const tight = new ResourceSampler(sources);
start = process.cpuUsage();
for (let i = 0; i < TIGHT_SAMPLES; i++) tight.sample();
const perSample = cpuSeconds(process.cpuUsage(start)) / TIGHT_SAMPLES;

console.log(`idle process        ${(idle * 100).toFixed(3)}% of one core (baseline)`);
console.log(
  `sampling at 1 Hz    ${(sampling * 100).toFixed(3)}% of one core, ${((sampling - idle) * 100).toFixed(3)}% above idle`,
);
console.log(
  `one sample          ${(perSample * 1e6).toFixed(0)} µs of CPU → ${(perSample * 100).toFixed(3)}% of one core at 1 Hz`,
);
