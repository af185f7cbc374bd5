import type { ResolvedLoadOptions } from "@quantdeck/shared";
import { describe, expect, it } from "vitest";
import { AgentError } from "../errors/AgentError.js";
import { completionBody, refusal, stopReasonOf } from "./llamaServer/llamaServerClient.js";
import { llamaServerArgs } from "./llamaServer/llamaServerArgs.js";
import { parseDeviceList } from "./llamaServer/parseDeviceList.js";
import { serverSentEvents } from "./llamaServer/serverSentEvents.js";
import { isDeepSeekModel, renderDeepSeek } from "./promptFormat.js";

// The engines' pure pieces, tested without a built llama-server.

const RECIPE: ResolvedLoadOptions = {
  contextSize: 4096,
  gpuLayers: 2,
  kvCacheKeyType: "q8_0",
  kvCacheValueType: "q8_0",
  flashAttention: true,
  threads: 2,
  batchSize: 512,
  useMmap: true,
  useMlock: false,
  priority: "normal",
  parallel: 1,
  cpuMoeLayers: null,
  workers: [],
};

const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

/** The parts as a byte stream arrives: one read each. */
function chunks(...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (const part of parts) {
      await Promise.resolve();
      yield typeof part === "string" ? new TextEncoder().encode(part) : part;
    }
  })();
}
const collect = async (source: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const item of source) out.push(item);
  return out;
};

describe("DeepSeek's prompt format", () => {
  it("knows DeepSeek models by architecture or by template", () => {
    expect(isDeepSeekModel("deepseek2", "")).toBe(true);
    expect(isDeepSeekModel("llama", "{{'<｜User｜>' + message}}")).toBe(true);
    expect(isDeepSeekModel("llama", "<|im_start|>user")).toBe(false);
  });

  it("renders system, turns and the open assistant turn as the guide writes them", () => {
    expect(
      renderDeepSeek([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: "Heptagon?" },
      ]),
    ).toBe(
      "Be brief.<｜User｜>Hi<｜Assistant｜>Hello.<｜end▁of▁sentence｜><｜User｜>Heptagon?<｜Assistant｜>",
    );
    expect(renderDeepSeek([{ role: "user", content: "x" }])).toBe("<｜User｜>x<｜Assistant｜>");
  });
});

describe("llama-server's stream", () => {
  it("yields each data payload, whatever the chunking, with characters split across reads kept whole", async () => {
    const heart = new TextEncoder().encode('data: {"content":"❤"}\n\n');
    const cut = 11; // inside the three bytes of ❤
    const events = await collect(
      serverSentEvents(
        chunks(
          'data: {"a":1}\r\n',
          "\nevent: x\nda",
          'ta: {"b":2}\n\n',
          heart.subarray(0, cut),
          heart.subarray(cut),
          "data: last",
        ),
      ),
    );
    expect(events).toEqual(['{"a":1}', '{"b":2}', '{"content":"❤"}', "last"]);
  });

  it("turns llama-server's error types into the agent's, not its wording", () => {
    const tooLong = refusal(
      400,
      JSON.stringify({
        error: {
          code: 400,
          message: "anything",
          type: "exceed_context_size_error",
          n_prompt_tokens: 5000,
          n_ctx: 4096,
        },
      }),
    );
    expect(tooLong).toBeInstanceOf(AgentError);
    expect((tooLong as AgentError).apiError).toMatchObject({
      code: "promptTooLong",
      title: "The prompt is 5000 tokens; the context holds 4096",
    });
    const invalid = refusal(
      400,
      JSON.stringify({ error: { message: "bad grammar", type: "invalid_request_error" } }),
    );
    expect((invalid as AgentError).code).toBe("badRequest");
    const other = refusal(500, "<html>oops</html>");
    expect(other).not.toBeInstanceOf(AgentError);
    expect(other.message).toContain("500");
  });

  it("maps stop types and sends the recipe's sampling", () => {
    expect(stopReasonOf("limit")).toBe("maxTokens");
    expect(stopReasonOf("word")).toBe("stopString");
    expect(stopReasonOf("eos")).toBe("endOfText");
    expect(
      completionBody("p", { temperature: 0.3, minP: 0.01, seed: 3407, maxTokens: 64 }),
    ).toMatchObject({
      temperature: 0.3,
      min_p: 0.01,
      seed: 3407,
      n_predict: 64,
      repeat_penalty: 1,
      stream: true,
    });
  });
});

describe("llama-server's devices and arguments", () => {
  it("reads GPUs from --list-devices, and none from a CPU build", () => {
    const view = parseDeviceList(
      "Available devices:\n  CUDA0: NVIDIA H200 (143166 MiB, 142583 MiB free)\n  CUDA1: NVIDIA H200 (143166 MiB, 100000 MiB free)\n",
    );
    expect(view).toEqual({
      gpuType: "cuda",
      devices: ["NVIDIA H200", "NVIDIA H200"],
      vramTotalBytes: 2 * 143166 * 2 ** 20,
      vramFreeBytes: (142583 + 100000) * 2 ** 20,
    });
    expect(parseDeviceList("Available devices:\n")).toEqual({
      gpuType: null,
      devices: [],
      vramTotalBytes: 0,
      vramFreeBytes: 0,
    });
  });

  it("passes the guide's recipe as llama-server's own flags", () => {
    const args = llamaServerArgs("/m/x.gguf", RECIPE, 8123);
    expect(flag(args, "--host")).toBe("127.0.0.1");
    expect(flag(args, "--port")).toBe("8123");
    expect(flag(args, "--ctx-size")).toBe("4096");
    expect(flag(args, "--cache-type-k")).toBe("q8_0");
    expect(flag(args, "--n-gpu-layers")).toBe("2");
    expect(flag(args, "--flash-attn")).toBe("on");
    expect(args).not.toContain("--n-cpu-moe");
    expect(args).not.toContain("--no-mmap");
  });

  it("gives each parallel slot its context, and keeps MoE experts in RAM when asked", () => {
    const args = llamaServerArgs(
      "/m/x.gguf",
      {
        ...RECIPE,
        parallel: 4,
        cpuMoeLayers: 58,
        gpuLayers: "max",
        useMmap: false,
        useMlock: true,
        priority: "high",
      },
      1,
    );
    expect(flag(args, "--ctx-size")).toBe(String(4096 * 4));
    expect(flag(args, "--parallel")).toBe("4");
    expect(flag(args, "--n-cpu-moe")).toBe("58");
    expect(flag(args, "--n-gpu-layers")).toBe("all");
    expect(flag(args, "--prio")).toBe("2");
    expect(args).toContain("--no-mmap");
    expect(args).toContain("--mlock");
  });
});
