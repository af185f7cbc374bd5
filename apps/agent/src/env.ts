import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { isLoopbackHost, isPrivateAddress } from "./api/security/hostChecks.js";
import { isExecutableFile } from "./util/isExecutableFile.js";
import type { DownloadSettings } from "./downloads/JobRun.js";

/**
 * The agent's configuration, from command-line flags first, then the environment.
 * This is the only module that reads `process.env` or `process.argv`.
 */
export interface AgentConfig {
  /** Address to listen on. Anything but loopback requires a token. Defaults to 127.0.0.1. */
  host: string;
  /** TCP port; 0 picks a free one. Defaults to 7700. */
  port: number;
  /** Where the agent keeps its state and the demo model. Defaults to ~/.quantdeck. */
  dataDir: string;
  /** The folder models are downloaded to and looked up in. Defaults to <dataDir>/models. */
  modelsDir: string;
  /** Access token; required when listening beyond loopback. Defaults to none. */
  token: string | undefined;
  /** Extra host names the agent answers to (besides loopback names and `host`), e.g. a LAN name. */
  allowedHosts: string[];
  /** Skip writing the demo model on first start. Defaults to false. */
  noDemoModel: boolean;
  /** GPU use by the engine: "auto" uses one when present, "off" runs on the CPU. Defaults to "auto". */
  gpu: "auto" | "off";
  /** Generations that may wait for the engine before callers are told it is busy. Defaults to 16. */
  maxQueue: number;
  /** More folders to find GGUF models in (read only). Defaults to none. */
  extraModelDirs: string[];
  /** The hub's base URL (HF_ENDPOINT, as the Python client reads it). Defaults to https://huggingface.co. */
  hubEndpoint: string;
  /** Hub token (HF_TOKEN), sent to the hub's own host only. Defaults to none. */
  hubToken: string | undefined;
  /** Downloads: parallel connections, bytes per ranged request, and when a silent connection counts as stalled. */
  downloads: DownloadSettings;
  /** Hosts a download may be redirected to besides the hub's own (and *.huggingface.co, *.hf.co). */
  downloadHosts: string[];
  /** Which engine serves generation: "auto" (llama-server once built), or one of them. Defaults to "auto". */
  engine: "auto" | "node-llama-cpp" | "llama-server";
  /** Where llama.cpp builds are cached (shared by every data folder). Defaults to ~/.cache/quantdeck/engines. */
  engineCacheDir: string;
  /** A llama-server the user built or installed, used instead of Quantdeck's own build. Defaults to none. */
  llamaServerPath: string | undefined;
  /** Folders whose text files quality runs and importance matrices may read by path. Defaults to <dataDir>/texts. */
  textDirs: string[];
  /** Where this box's ggml-rpc-server listens when a serving box asks for it: loopback unless set (QUANTDECK_RPC_HOST, QUANTDECK_RPC_PORT). */
  rpc: { host: string; port: number; threads: number | undefined };
  /** The Hugging Face hub cache, searched for GGUF models: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
  huggingFaceCache: string;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const envSchema = z.object({
  QUANTDECK_HOST: z.string().min(1).default("127.0.0.1"),
  QUANTDECK_PORT: z.coerce.number().int().min(0).max(65535).default(7700),
  QUANTDECK_DATA_DIR: z.string().min(1).optional(),
  QUANTDECK_MODELS_DIR: z.string().min(1).optional(),
  QUANTDECK_TOKEN: z.string().optional(),
  QUANTDECK_ALLOWED_HOSTS: z.string().optional(),
  QUANTDECK_NO_DEMO_MODEL: z.enum(["0", "1", "true", "false"]).optional(),
  QUANTDECK_GPU: z.enum(["auto", "off"]).default("auto"),
  QUANTDECK_MAX_QUEUE: z.coerce.number().int().min(0).max(10_000).default(16),
  QUANTDECK_EXTRA_MODEL_DIRS: z.string().optional(),
  QUANTDECK_TEXT_DIRS: z.string().optional(),
  QUANTDECK_RPC_HOST: z.string().min(1).default("127.0.0.1"),
  QUANTDECK_RPC_PORT: z.coerce.number().int().min(1).max(65535).default(50052),
  QUANTDECK_RPC_ALLOW_PUBLIC: z.enum(["0", "1", "true", "false"]).optional(),
  QUANTDECK_RPC_THREADS: z.coerce.number().int().min(1).max(1024).optional(),
  HF_HUB_CACHE: z.string().min(1).optional(),
  HF_HOME: z.string().min(1).optional(),
  HF_ENDPOINT: z.url({ protocol: /^https?$/ }).default("https://huggingface.co"),
  HF_TOKEN: z.string().optional(),
  QUANTDECK_DOWNLOAD_CONNECTIONS: z.coerce.number().int().min(1).max(32).default(4),
  QUANTDECK_DOWNLOAD_CHUNK_BYTES: z.coerce
    .number()
    .int()
    .min(4096)
    .default(32 * 1024 * 1024),
  QUANTDECK_DOWNLOAD_STALL_MS: z.coerce.number().int().min(100).default(20_000),
  QUANTDECK_DOWNLOAD_SYNC_MS: z.coerce.number().int().min(100).default(10_000),
  QUANTDECK_DOWNLOAD_HOSTS: z.string().optional(),
  QUANTDECK_ENGINE: z.enum(["auto", "node-llama-cpp", "llama-server"]).default("auto"),
  QUANTDECK_ENGINE_DIR: z.string().min(1).optional(),
  QUANTDECK_LLAMA_SERVER: z.string().min(1).optional(),
  XDG_CACHE_HOME: z.string().min(1).optional(),
});

const MIN_TOKEN_LENGTH = 16;

export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): AgentConfig {
  const { values: flags } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      "models-dir": { type: "string" },
      token: { type: "string" },
      "allowed-hosts": { type: "string" },
      "no-demo-model": { type: "boolean" },
      gpu: { type: "string" },
    },
    strict: true,
  });
  const parsed = envSchema.safeParse({
    ...env,
    ...(flags.host !== undefined && { QUANTDECK_HOST: flags.host }),
    ...(flags.port !== undefined && { QUANTDECK_PORT: flags.port }),
    ...(flags["data-dir"] !== undefined && { QUANTDECK_DATA_DIR: flags["data-dir"] }),
    ...(flags["models-dir"] !== undefined && { QUANTDECK_MODELS_DIR: flags["models-dir"] }),
    ...(flags.token !== undefined && { QUANTDECK_TOKEN: flags.token }),
    ...(flags["allowed-hosts"] !== undefined && {
      QUANTDECK_ALLOWED_HOSTS: flags["allowed-hosts"],
    }),
    ...(flags["no-demo-model"] && { QUANTDECK_NO_DEMO_MODEL: "1" }),
    ...(flags.gpu !== undefined && { QUANTDECK_GPU: flags.gpu }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `Invalid setting ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "unknown problem"}`,
      "See the Configuration section of the README for valid values.",
    );
  }
  const e = parsed.data;
  const dataDir = absolute(e.QUANTDECK_DATA_DIR ?? join(homedir(), ".quantdeck"));
  const token = e.QUANTDECK_TOKEN?.trim() || undefined;

  if (!isLoopbackHost(e.QUANTDECK_HOST) && !token) {
    throw new ConfigError(
      `Refusing to listen on ${e.QUANTDECK_HOST} without an access token.`,
      "Set QUANTDECK_TOKEN (16+ characters, e.g. `openssl rand -hex 24`), or keep the default 127.0.0.1 and use SSH port forwarding.",
    );
  }
  const llamaServerPath = e.QUANTDECK_LLAMA_SERVER ? absolute(e.QUANTDECK_LLAMA_SERVER) : undefined;
  if (llamaServerPath && !isExecutableFile(llamaServerPath)) {
    throw new ConfigError(
      `QUANTDECK_LLAMA_SERVER is not an executable file: ${llamaServerPath}`,
      "Point it at a llama-server binary (e.g. ~/llama.cpp/build/bin/llama-server), or unset it to use Quantdeck's own build.",
    );
  }
  const rpcHost = e.QUANTDECK_RPC_HOST.trim();
  const allowPublic =
    e.QUANTDECK_RPC_ALLOW_PUBLIC === "1" || e.QUANTDECK_RPC_ALLOW_PUBLIC === "true";
  if (!isPrivateAddress(rpcHost) && !allowPublic) {
    throw new ConfigError(
      `Refusing to serve llama.cpp's RPC on ${rpcHost}: it is not a loopback or private address.`,
      "llama.cpp's RPC protocol has no authentication: anyone who reaches the port can run code on this box's devices and read what they hold. Use a private network, a VPN or an SSH tunnel (see the README), or set QUANTDECK_RPC_ALLOW_PUBLIC=1 to take that risk.",
    );
  }
  if (token && token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `QUANTDECK_TOKEN is too short (${token.length} characters).`,
      `Use at least ${MIN_TOKEN_LENGTH} random characters, e.g. \`openssl rand -hex 24\`.`,
    );
  }
  return {
    host: e.QUANTDECK_HOST,
    port: e.QUANTDECK_PORT,
    dataDir,
    modelsDir: absolute(e.QUANTDECK_MODELS_DIR ?? join(dataDir, "models")),
    token,
    allowedHosts: (e.QUANTDECK_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    noDemoModel: e.QUANTDECK_NO_DEMO_MODEL === "1" || e.QUANTDECK_NO_DEMO_MODEL === "true",
    gpu: e.QUANTDECK_GPU,
    maxQueue: e.QUANTDECK_MAX_QUEUE,
    extraModelDirs: folderList(e.QUANTDECK_EXTRA_MODEL_DIRS),
    rpc: { host: rpcHost, port: e.QUANTDECK_RPC_PORT, threads: e.QUANTDECK_RPC_THREADS },
    textDirs: e.QUANTDECK_TEXT_DIRS ? folderList(e.QUANTDECK_TEXT_DIRS) : [join(dataDir, "texts")],
    downloads: {
      connections: e.QUANTDECK_DOWNLOAD_CONNECTIONS,
      chunkBytes: e.QUANTDECK_DOWNLOAD_CHUNK_BYTES,
      stallMs: e.QUANTDECK_DOWNLOAD_STALL_MS,
      syncIntervalMs: e.QUANTDECK_DOWNLOAD_SYNC_MS,
      retryBaseMs: 250,
      maxAttempts: 8,
    },
    downloadHosts: (e.QUANTDECK_DOWNLOAD_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    engine: e.QUANTDECK_ENGINE,
    engineCacheDir: absolute(
      e.QUANTDECK_ENGINE_DIR ??
        join(e.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "quantdeck", "engines"),
    ),
    llamaServerPath,
    hubEndpoint: e.HF_ENDPOINT,
    hubToken: e.HF_TOKEN?.trim() || undefined,
    huggingFaceCache: absolute(
      e.HF_HUB_CACHE ??
        (e.HF_HOME ? join(e.HF_HOME, "hub") : join(homedir(), ".cache", "huggingface", "hub")),
    ),
  };
}

/** A comma-separated list of folders. */
function folderList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((d) => d.trim())
    .filter(Boolean)
    .map(absolute);
}

function absolute(path: string): string {
  const expanded = path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}
