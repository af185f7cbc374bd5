import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { quantizeRequestSchema, type QuantizeJob } from "@quantdeck/shared";
import type { z } from "zod";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentError } from "../errors/AgentError.js";
import type { LocalModel } from "../models/ModelRegistry.js";
import { WORK_FOLDER } from "../models/walkModelFolder.js";
import { QuantizeJobs } from "./QuantizeJobs.js";

// The job's supervision — progress, cancel, failure, cleanup — with a stand-in for
// llama-quantize that writes its progress lines as the real one does, at a pace a test can
// act within. (The real tool's quantizing is tested in test/quantize.integration.test.ts.)
let dir: string;
let models: string;
const updates: QuantizeJob[] = [];

/** A llama-quantize stand-in: 50 progress lines, one each 0.2 s, then the output (or exit 1). */
function fakeTool(outcome: "ok" | "fail"): string {
  const path = join(dir, `fake-quantize-${outcome}`);
  writeFileSync(
    path,
    `#!/bin/sh
# args: ... INPUT OUTPUT TYPE THREADS
for a in "$@"; do prev2="$prev1"; prev1="$prev0"; prev0="$a"; done
out="$prev2"
echo "main: quantizing to $prev1"
i=1
while [ $i -le 50 ]; do
  printf '[%4d/%4d] blk.%d.attn_q.weight - [128, 128], type = f32, converting to q4_0 .. size = 0.06 MiB -> 0.01 MiB\\n' $i 50 $i
  echo partial >> "$out"
  ${outcome === "fail" ? 'if [ $i -eq 3 ]; then echo "llama_model_quantize: failed to quantize: bad tensor" >&2; exit 1; fi' : ""}
  sleep 0.2
  i=$((i+1))
done
`,
  );
  chmodSync(path, 0o755);
  return path;
}

function jobsWith(tool: string) {
  const source = join(models, "ref-F32.gguf");
  const model = { id: "ref-F32.gguf", path: source, files: [source] } as LocalModel;
  return new QuantizeJobs({
    modelsDir: models,
    threads: 1,
    findModel: (id) =>
      id === model.id
        ? Promise.resolve(model)
        : Promise.reject(new AgentError({ code: "unknownModel", title: `No model ${id}` })),
    textDirs: [],
    tool: () => tool,
    publish: (job) => updates.push({ ...job }),
  });
}

/** Starts a job as the route does: the request parsed, its defaults filled in. */
const startJob = (jobs: QuantizeJobs, request: z.input<typeof quantizeRequestSchema>) =>
  jobs.start(quantizeRequestSchema.parse(request));

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "quantdeck-qjobs-"));
  models = join(dir, "models");
  synthesizeModel({ path: join(models, "ref-F32.gguf"), shape: demoDeepseek2Shape, type: "F32" });
  updates.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("quantize jobs", () => {
  it("reports progress, and a cancel stops the tool and leaves nothing in the models folder", async () => {
    const jobs = jobsWith(fakeTool("ok"));
    const job = await startJob(jobs, {
      source: "ref-F32.gguf",
      type: "Q4_0",
      rules: [],
      allowRequantize: false,
    });
    expect(job).toMatchObject({ state: "running", target: "ref-Q4_0.gguf" });
    await until(() => (updates.at(-1)?.progress ?? 0) >= 0.04);
    expect(existsSync(join(models, WORK_FOLDER, job.id))).toBe(true);
    jobs.cancel(job.id);
    await until(() => jobs.get(job.id).state !== "running");
    expect(jobs.get(job.id).state).toBe("cancelled");
    expect(jobs.get(job.id).error).toBeNull();
    expect(readdirSync(models).sort()).toEqual([WORK_FOLDER, "ref-F32.gguf"].sort());
    expect(readdirSync(join(models, WORK_FOLDER))).toEqual([]);
    await jobs.close();
  });

  it("reports a tool's failure with its last lines, and cleans up", async () => {
    const jobs = jobsWith(fakeTool("fail"));
    const job = await startJob(jobs, {
      source: "ref-F32.gguf",
      type: "Q4_0",
      rules: [],
      allowRequantize: false,
    });
    await until(() => jobs.get(job.id).state !== "running");
    const failed = jobs.get(job.id);
    expect(failed.state).toBe("failed");
    expect(failed.error?.title).toMatch(
      /llama-quantize failed: .*exited with code 1: llama_model_quantize: failed to quantize: bad tensor/,
    );
    expect(failed.logTail.at(-1)).toContain("bad tensor");
    expect(readdirSync(models)).not.toContain("ref-Q4_0.gguf");
    await jobs.close();
  });

  it("stops running jobs when the agent stops, and clears what a stopped agent left", async () => {
    const jobs = jobsWith(fakeTool("ok"));
    const job = await startJob(jobs, {
      source: "ref-F32.gguf",
      type: "Q8_0",
      rules: [],
      allowRequantize: false,
    });
    await until(() => (updates.at(-1)?.progress ?? 0) > 0);
    await jobs.close();
    expect(jobs.get(job.id).state).toBe("cancelled");
    expect(existsSync(join(models, WORK_FOLDER))).toBe(false);
    // A work folder left by an agent that was killed goes when the next one starts.
    const leftover = join(models, WORK_FOLDER, "old");
    synthesizeModel({ path: join(leftover, "half.gguf"), shape: demoDeepseek2Shape });
    jobsWith(fakeTool("ok"));
    expect(existsSync(join(models, WORK_FOLDER))).toBe(false);
  });

  it("refuses unknown models, taken names and bad rules before starting anything", async () => {
    const jobs = jobsWith(fakeTool("ok"));
    const refusal = (request: z.input<typeof quantizeRequestSchema>) =>
      startJob(jobs, request).then(
        () => "started",
        (error: unknown) =>
          error instanceof AgentError ? `${error.status} ${error.apiError.title}` : String(error),
      );
    const base = {
      source: "ref-F32.gguf",
      type: "Q4_0" as const,
      rules: [],
      allowRequantize: false,
    };
    expect(await refusal({ ...base, source: "nope" })).toMatch(/^404 /);
    expect(await refusal({ ...base, name: "ref-F32" })).toMatch(
      /^409 ref-F32\.gguf is already in the models folder/,
    );
    expect(await refusal({ ...base, rules: [{ pattern: "(", type: "Q8_0" }] })).toMatch(
      /^400 Rule 1's pattern \( is not a regular expression/,
    );
    expect(await refusal({ ...base, rules: [{ pattern: "ffn_nothing", type: "Q8_0" }] })).toMatch(
      /^400 Rule 1's pattern ffn_nothing matches no tensor/,
    );
    expect(await refusal({ ...base, type: "IQ2_XXS" })).toMatch(
      /^400 IQ2_XXS needs an importance matrix/,
    );
    expect(jobs.list()).toEqual([]);
    await jobs.close();
  });
});
