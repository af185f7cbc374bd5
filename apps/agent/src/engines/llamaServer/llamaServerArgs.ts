import type { ResolvedLoadOptions } from "@quantdeck/shared";

const PRIORITY = { normal: 0, medium: 1, high: 2, realtime: 3 } as const;

/**
 * The plan and the load knobs as llama-server's flags: the reference recipe's
 * `--cache-type-k q8_0 --threads N --n-gpu-layers K --ctx-size 4096`, and what only this
 * engine has (`--n-cpu-moe` keeps N layers' MoE experts in RAM).
 */
export function llamaServerArgs(
  modelPath: string,
  options: ResolvedLoadOptions,
  port: number,
): string[] {
  const args = [
    "--model",
    modelPath,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    // Each of the parallel slots gets its share of the context, as with the other engine.
    "--ctx-size",
    String(options.contextSize * options.parallel),
    "--parallel",
    String(options.parallel),
    "--cache-type-k",
    options.kvCacheKeyType,
    "--cache-type-v",
    options.kvCacheValueType,
    "--flash-attn",
    options.flashAttention ? "on" : "off",
    "--threads",
    String(options.threads),
    "--threads-batch",
    String(options.threads),
    "--batch-size",
    String(options.batchSize),
    "--prio",
    String(PRIORITY[options.priority]),
    "--jinja",
    "--metrics",
    "--no-webui",
  ];
  if (options.gpuLayers === "max") args.push("--n-gpu-layers", "all");
  else if (options.gpuLayers === "auto") args.push("--n-gpu-layers", "auto");
  else args.push("--n-gpu-layers", String(options.gpuLayers));
  if (options.cpuMoeLayers !== null) args.push("--n-cpu-moe", String(options.cpuMoeLayers));
  if (!options.useMmap) args.push("--no-mmap");
  if (options.useMlock) args.push("--mlock");
  return args;
}
