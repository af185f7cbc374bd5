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

const repoName = (i: number) => `bench/Download-GGUF-${i}`;
const CAP_BYTES_PER_SECOND = 4 * 1024 * 1024;
const CAPPED_SIZE = 48 * 1024 * 1024;
const UNCAPPED_SIZE = 512 * 1024 * 1024;
const WARMUP_SIZE = 64 * 1024 * 1024;
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

/**
 * An agent for one setting (connections, chunk size), kept running between downloads as a
 * daemon is. Each download is timed from the request to when the agent's log says the file
 * is transferred (every byte on disk) and to when the download ended (verified, in place):
 * read from its output as it is written, so nothing polls the agent meanwhile.
 */
async function startDownloadAgent(
  hubUrl: string,
  connections: number,
  work: string,
  chunkBytes: number,
) {
  const dir = mkdtempSync(join(work, "agent-"));
  const modelsDir = join(dir, "models");
  const agent = await startAgent({
    env: {
      QUANTDECK_GPU: "off",
      QUANTDECK_NO_DEMO_MODEL: "1",
      QUANTDECK_DATA_DIR: join(dir, "data"),
      QUANTDECK_MODELS_DIR: modelsDir,
      HF_ENDPOINT: hubUrl,
      QUANTDECK_DOWNLOAD_CONNECTIONS: String(connections),
      QUANTDECK_DOWNLOAD_CHUNK_BYTES: String(chunkBytes),
    },
  });
  let output = "";
  const waiters = new Set<() => void>();
  agent.process.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) waiter();
  });
  /** When a line matching `pattern` is in the output (checked as the output comes). */
  const lineAt = (pattern: RegExp) =>
    new Promise<{ at: number; line: string }>((resolve) => {
      const check = () => {
        const line = pattern.exec(output)?.[0];
        if (line === undefined) return;
        waiters.delete(check);
        resolve({ at: performance.now(), line });
      };
      waiters.add(check);
      check();
    });

  return {
    async download(repo: string, include: string): Promise<Timing> {
      const started = performance.now();
      const response = await fetch(`${agent.url}/api/downloads`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ repo, include: [include] }),
      });
      if (response.status !== 201) throw new Error(`POST /api/downloads: ${await response.text()}`);
      const { id } = (await response.json()) as { id: string };
      const [transferred, ended] = await Promise.all([
        lineAt(new RegExp(`file transferred id=${id}.*`)),
        lineAt(new RegExp(`download ended id=${id}.*`)),
      ]);
      if (!ended.line.includes("outcome=completed"))
        throw new Error(`the download failed: ${ended.line}`);
      rmSync(join(modelsDir, repo), { recursive: true, force: true });
      return {
        transferSeconds: (transferred.at - started) / 1000,
        totalSeconds: (ended.at - started) / 1000,
      };
    },
    async stop() {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh agent, warmed by one small download (its code compiled, as a running daemon's
 * is) unless the link is capped, then `runs` timed downloads, with `between` before each.
 */
async function agentRuns(
  hubUrl: string,
  include: string,
  connections: number,
  work: string,
  chunkBytes: number,
  runs: number,
  { warmUp = true, between = (): Promise<void> => Promise.resolve() } = {},
): Promise<Timing[]> {
  const agent = await startDownloadAgent(hubUrl, connections, work, chunkBytes);
  try {
    if (warmUp) await agent.download(repoName(0), "warmup/*");
    const timings: Timing[] = [];
    for (let run = 1; run <= runs; run++) {
      await between();
      timings.push(await agent.download(repoName(run), include));
    }
    return timings;
  } finally {
    await agent.stop();
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
writeRandom(join(repoDir, "warmup", "model.gguf"), WARMUP_SIZE);
writeRandom(join(repoDir, "uncapped", "model.gguf"), UNCAPPED_SIZE);
const mb = (bytes: number, seconds: number) => `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
// A repo per download, all publishing the same folder: each download is new to its agent.
const repos = Array.from({ length: PAIRS + 1 }, (_, i) => repoName(i));

try {
  const capped = await startHubProcess(repos, repoDir, CAP_BYTES_PER_SECOND);
  const cappedRun = async (connections: number) =>
    (
      await agentRuns(capped.url, "capped/*", connections, work, 4 * 1024 * 1024, 1, {
        warmUp: false,
      })
    )[0] as Timing;
  const one = await cappedRun(1);
  const four = await cappedRun(4);
  const eight = await cappedRun(8);
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

  const open = await startHubProcess(repos, repoDir);
  const curlUrl = `${open.url}/${repoName(0)}/resolve/main/uncapped/model.gguf`;
  // The default chunk size (32 MiB), as users get it.
  const chunk = 32 * 1024 * 1024;
  // This box's speed drifts by tens of percent between seconds (other tenants): curl and
  // the agent take turns, and each pair gives one ratio; the median ratio is the result.
  const curls: number[] = [];
  const agents = await agentRuns(open.url, "uncapped/*", 4, work, chunk, PAIRS, {
    between: async () => {
      curls.push(await curlDownload(curlUrl, work));
    },
  });
  const pairs = agents.map((agent, i) => ({ agent, curl: curls[i] as number }));
  // On loopback the two processes share the same cores: fewer connections, for comparison.
  const [oneConnection] = await agentRuns(open.url, "uncapped/*", 1, work, chunk, 1);
  const [twoConnections] = await agentRuns(open.url, "uncapped/*", 2, work, chunk, 1);
  await open.close();
  if (!oneConnection || !twoConnections) throw new Error("a comparison run is missing");
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
    `                  pairs: ${pairs.map((p) => (p.curl / p.agent.transferSeconds).toFixed(2)).join(" ")} (curl ÷ agent time; curl ${pairs.map((p) => mb(UNCAPPED_SIZE, p.curl).replace(" MB/s", "")).join(" ")} MB/s)`,
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
