// Download speed, in one run against the local test hub on loopback:
//   capped:   per-connection bandwidth limited; 4 parallel ranged connections ÷ 1 connection
//   uncapped: the agent's throughput ÷ curl fetching the same file to the same disk
//   npm run build && npm run bench:downloads -w @quantdeck/bench
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { randomFillSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startAgent } from "@quantdeck/agent/testing";
import { startHubProcess } from "./support/startHubProcess.js";

const REPO = "bench/Download-GGUF";
const CAP_BYTES_PER_SECOND = 4 * 1024 * 1024;
const CAPPED_SIZE = 48 * 1024 * 1024;
const UNCAPPED_SIZE = 512 * 1024 * 1024;
const PAIRS = 5;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

function writeRandom(path: string, size: number) {
  const block = Buffer.alloc(16 * 1024 * 1024);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "");
  for (let written = 0; written < size; written += block.length) {
    randomFillSync(block);
    writeFileSync(path, block.subarray(0, Math.min(block.length, size - written)), { flag: "a" });
  }
}

interface Timing {
  transferSeconds: number;
  totalSeconds: number;
}

/** Downloads `include` through a fresh agent; the transfer ends when every byte is in, the total after verification. */
async function agentDownload(
  hubUrl: string,
  include: string,
  connections: number,
  work: string,
  chunkBytes = 4 * 1024 * 1024,
): Promise<Timing> {
  const dir = mkdtempSync(join(work, "agent-"));
  const agent = await startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_NO_DEMO_MODEL: "1",
      QUANTDECK_DATA_DIR: join(dir, "data"),
      QUANTDECK_MODELS_DIR: join(dir, "models"),
      HF_ENDPOINT: hubUrl,
      QUANTDECK_DOWNLOAD_CONNECTIONS: String(connections),
      QUANTDECK_DOWNLOAD_CHUNK_BYTES: String(chunkBytes),
    },
  });
  try {
    const started = performance.now();
    const response = await fetch(`${agent.url}/api/downloads`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ repo: REPO, include: [include] }),
    });
    const { id } = (await response.json()) as { id: string };
    let transferred: number | undefined;
    for (;;) {
      const { downloads } = (await (await fetch(`${agent.url}/api/downloads`)).json()) as {
        downloads: {
          id: string;
          state: string;
          doneBytes: number;
          totalBytes: number;
          error: unknown;
        }[];
      };
      const job = downloads.find((d) => d.id === id);
      if (!job || job.state === "failed")
        throw new Error(`download failed: ${JSON.stringify(job?.error)}`);
      if (transferred === undefined && job.doneBytes >= job.totalBytes)
        transferred = performance.now();
      if (job.state === "completed") {
        const finished = performance.now();
        return {
          transferSeconds: ((transferred ?? finished) - started) / 1000,
          totalSeconds: (finished - started) / 1000,
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Timed from this process; the hub serves from its own (support/hubProcess.ts). */
async function curlDownload(url: string, work: string): Promise<number> {
  const out = join(work, "curl.out");
  const started = performance.now();
  await promisify(execFile)("curl", ["-sS", "-L", "-o", out, url]);
  const seconds = (performance.now() - started) / 1000;
  rmSync(out, { force: true });
  return seconds;
}

const work = mkdtempSync(join(tmpdir(), "quantdeck-bench-dl-"));
const repoDir = join(work, "repo");
writeRandom(join(repoDir, "capped", "model.gguf"), CAPPED_SIZE);
writeRandom(join(repoDir, "uncapped", "model.gguf"), UNCAPPED_SIZE);
const mb = (bytes: number, seconds: number) => `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;

try {
  const capped = await startHubProcess(REPO, repoDir, CAP_BYTES_PER_SECOND);
  const one = await agentDownload(capped.url, "capped/*", 1, work);
  const four = await agentDownload(capped.url, "capped/*", 4, work);
  const eight = await agentDownload(capped.url, "capped/*", 8, work);
  await capped.close();
  console.log(
    `capped at ${CAP_BYTES_PER_SECOND / 1024 / 1024} MiB/s per connection, ${CAPPED_SIZE / 1024 / 1024} MiB file (transfer only):`,
  );
  console.log(`  1 connection    ${mb(CAPPED_SIZE, one.transferSeconds)} (baseline)`);
  console.log(
    `  4 connections   ${mb(CAPPED_SIZE, four.transferSeconds)}  ratio ${(one.transferSeconds / four.transferSeconds).toFixed(2)}x`,
  );
  console.log(
    `  8 connections   ${mb(CAPPED_SIZE, eight.transferSeconds)}  ratio ${(one.transferSeconds / eight.transferSeconds).toFixed(2)}x`,
  );

  const open = await startHubProcess(REPO, repoDir);
  const curlUrl = `${open.url}/${REPO}/resolve/main/uncapped/model.gguf`;
  // The default chunk size (32 MiB), as users get it.
  const chunk = 32 * 1024 * 1024;
  // This box's speed drifts by tens of percent between seconds (other tenants): curl and
  // the agent take turns, and each pair gives one ratio; the median ratio is the result.
  const pairs: { curl: number; agent: Timing }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const curl = await curlDownload(curlUrl, work);
    pairs.push({ curl, agent: await agentDownload(open.url, "uncapped/*", 4, work, chunk) });
  }
  // On loopback the two processes share the same cores: fewer connections, for comparison.
  const oneConnection = await agentDownload(open.url, "uncapped/*", 1, work, chunk);
  const twoConnections = await agentDownload(open.url, "uncapped/*", 2, work, chunk);
  await open.close();
  const curlMedian = median(pairs.map((p) => p.curl));
  const ratio = (seconds: number) => (curlMedian / seconds).toFixed(2);
  console.log(
    `uncapped, ${UNCAPPED_SIZE / 1024 / 1024} MiB file on loopback; ${PAIRS} curl/agent pairs, medians (ratios within each pair):`,
  );
  console.log(`  curl -L         ${mb(UNCAPPED_SIZE, curlMedian)} (baseline)`);
  console.log(
    `  agent transfer  ${mb(UNCAPPED_SIZE, median(pairs.map((p) => p.agent.transferSeconds)))}  ratio ${median(pairs.map((p) => p.curl / p.agent.transferSeconds)).toFixed(2)}x (4 connections)`,
  );
  console.log(
    `  agent + sha256  ${mb(UNCAPPED_SIZE, median(pairs.map((p) => p.agent.totalSeconds)))}  ratio ${median(pairs.map((p) => p.curl / p.agent.totalSeconds)).toFixed(2)}x (sha256 verification and the sync to disk included; curl does neither)`,
  );
  console.log(
    `  agent, 1 conn.  ${mb(UNCAPPED_SIZE, oneConnection.transferSeconds)}  ratio ${ratio(oneConnection.transferSeconds)}x (transfer, one run, against the median curl)`,
  );
  console.log(
    `  agent, 2 conn.  ${mb(UNCAPPED_SIZE, twoConnections.transferSeconds)}  ratio ${ratio(twoConnections.transferSeconds)}x (transfer, one run, against the median curl)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
