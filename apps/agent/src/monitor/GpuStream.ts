import { spawn, type ChildProcess } from "node:child_process";
import type { GpuInfo } from "@quantdeck/shared";
import { NVIDIA_QUERY_FIELDS, parseNvidiaSmiCsv } from "../hardware/detectNvidiaGpus.js";

/**
 * GPU figures once a second from one long-running `nvidia-smi -lms 1000`: spawning the
 * tool every second would cost more CPU than the whole rest of the monitor.
 */
export class GpuStream {
  private child: ChildProcess | null = null;
  private current = new Map<number, GpuInfo>();

  start(): void {
    const child = spawn(
      "nvidia-smi",
      [
        `--query-gpu=${NVIDIA_QUERY_FIELDS.join(",")}`,
        "--format=csv,noheader,nounits",
        "-lms",
        "1000",
      ],
      {
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    child.on("error", () => (this.child = null)); // no nvidia-smi: no GPU figures
    let buffer = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const gpu of parseNvidiaSmiCsv(lines.join("\n"))) this.current.set(gpu.index, gpu);
    });
    this.child = child;
  }

  latest(): GpuInfo[] {
    return [...this.current.values()].sort((a, b) => a.index - b.index);
  }

  stop(): void {
    this.child?.kill();
    this.child = null;
  }
}
