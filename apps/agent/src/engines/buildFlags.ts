import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { commandExists } from "../util/commandExists.js";

const run = promisify(execFile);

export type EngineBackend = "cpu" | "cuda" | "vulkan" | "metal";

export interface BuildPlan {
  backend: EngineBackend;
  /** cmake -D flags, in a stable order (they are part of the cache key). */
  flags: string[];
  /** Why this backend, for the dashboard. */
  reason: string;
}

/**
 * Picks llama.cpp's build flags from what the machine has: CUDA when nvcc and an NVIDIA
 * GPU are both there (for the GPU's own architecture, and flash attention for every KV
 * cache type, which q8_0/q4_0 caches need), Metal on macOS, Vulkan when its SDK is there,
 * else the CPU build tuned for this CPU.
 */
export async function planBuild(): Promise<BuildPlan> {
  const common = [
    "-DCMAKE_BUILD_TYPE=Release",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DGGML_RPC=ON",
    "-DBUILD_SHARED_LIBS=OFF",
  ];
  if (process.platform === "darwin")
    return { backend: "metal", flags: [...common, "-DGGML_METAL=ON"], reason: "macOS: Metal" };
  const computeCapability = await nvidiaComputeCapability();
  if (computeCapability && (await commandExists("nvcc"))) {
    return {
      backend: "cuda",
      flags: [
        ...common,
        "-DGGML_NATIVE=ON",
        "-DGGML_CUDA=ON",
        "-DGGML_CUDA_FA_ALL_QUANTS=ON",
        `-DCMAKE_CUDA_ARCHITECTURES=${computeCapability.replace(".", "")}`,
      ],
      reason: `NVIDIA GPU (compute ${computeCapability}) and nvcc found: CUDA, flash attention for all KV types`,
    };
  }
  if ((await commandExists("glslc")) && (await commandExists("vulkaninfo"))) {
    return {
      backend: "vulkan",
      flags: [...common, "-DGGML_NATIVE=ON", "-DGGML_VULKAN=ON"],
      reason: "Vulkan SDK found",
    };
  }
  return {
    backend: "cpu",
    flags: [...common, "-DGGML_NATIVE=ON"],
    reason: computeCapability
      ? "An NVIDIA GPU but no nvcc (install the CUDA toolkit for a CUDA build): CPU build"
      : "No GPU toolchain: CPU build tuned for this CPU",
  };
}

async function nvidiaComputeCapability(): Promise<string | null> {
  try {
    const { stdout } = await run(
      "nvidia-smi",
      ["--query-gpu=compute_cap", "--format=csv,noheader"],
      {
        timeout: 10_000,
      },
    );
    return stdout.trim().split("\n")[0]?.trim() || null;
  } catch {
    return null;
  }
}
