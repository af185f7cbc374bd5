// The engine process: the only code that loads native llama.cpp. A bad GGUF or a driver
// fault can abort this process outright; the agent's supervisor notices and recovers.
// Started with UV_THREADPOOL_SIZE=1 in its environment (see EngineProcess.ts).
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import type { EngineEvent, EngineRequest, GpuMode } from "../../../runtime/engineMessages.js";
import { engineFailed, modelNotLoaded } from "../../../errors/commonErrors.js";
import { generate, promptTokenCount } from "./generate.js";
import { loadModel, type LoadedEngineModel } from "./loadModel.js";

let llama: Llama | undefined;
let loaded: LoadedEngineModel | undefined;
const running = new Map<string, AbortController>();

function send(event: EngineEvent): void {
  process.send?.(event);
}

async function getLlamaOnce(gpu: GpuMode): Promise<Llama> {
  // Prebuilt binaries only: this machine may have no network to fetch or build others.
  llama ??= await getLlama({ gpu, logLevel: LlamaLogLevel.error, build: "never" });
  return llama;
}

async function unload(): Promise<void> {
  for (const controller of running.values()) controller.abort();
  if (!loaded) return;
  const { context, model } = loaded;
  loaded = undefined;
  await context.dispose();
  await model.dispose();
}

async function handle(request: EngineRequest): Promise<void> {
  switch (request.type) {
    case "load": {
      await unload();
      const instance = await getLlamaOnce(request.gpu);
      loaded = await loadModel(instance, request.modelPath, request.options, (progress) =>
        send({ type: "loadProgress", id: request.id, progress }),
      );
      return send({ type: "loaded", id: request.id, info: loaded.info });
    }
    case "unload":
      await unload();
      return send({ type: "unloaded", id: request.id });
    case "generate": {
      if (!loaded) {
        return send({
          type: "failed",
          id: request.id,
          error: modelNotLoaded().apiError,
        });
      }
      const controller = new AbortController();
      running.set(request.id, controller);
      try {
        const result = await generate(loaded, request, controller.signal, (text, tokens) =>
          send({ type: "text", id: request.id, text, tokens }),
        );
        return send({ type: "generated", id: request.id, ...result });
      } finally {
        running.delete(request.id);
      }
    }
    case "cancel":
      running.get(request.id)?.abort();
      return;
    case "countTokens":
      if (!loaded)
        return send({ type: "failed", id: request.id, error: modelNotLoaded().apiError });
      return send({
        type: "counted",
        id: request.id,
        tokens: promptTokenCount(loaded, request.prompt),
      });
    case "probe": {
      const instance = await getLlamaOnce(request.gpu);
      const vram = await instance.getVramState();
      return send({
        type: "probed",
        id: request.id,
        view: {
          gpuType: instance.gpu === false ? null : instance.gpu,
          devices: await instance.getGpuDeviceNames(),
          vramTotalBytes: vram.total,
          vramFreeBytes: vram.free,
        },
      });
    }
  }
}

process.on("message", (request: EngineRequest) => {
  handle(request).catch((error: unknown) => {
    const during = request.type === "load" ? "load" : "generate";
    send({
      type: "failed",
      id: request.id,
      error: engineFailed("node-llama-cpp", during, error).apiError,
    });
  });
});

// The agent is gone (crashed or killed): nothing to serve, so leave rather than linger.
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
