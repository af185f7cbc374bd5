import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoDeepseek2Shape, synthesizeModel } from "@quantdeck/gguf-synth";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completionBody } from "../src/engines/llamaServer/llamaServerClient.js";
import {
  detokenizeKeeping,
  preservedTokenIds,
} from "../src/engines/nodeLlamaCpp/worker/preservedTokens.js";
import { DEEPSEEK, parseDeepSeekCalls } from "../src/runtime/tools/deepseekToolFormat.js";
import { preparePrompt } from "../src/runtime/tools/toolPrompt.js";

// DeepSeek's tool markers are special (control) tokens in its GGUF files, and both engines
// leave special tokens out of the text they stream: a call the model makes would lose the
// markers it is found by. The agent asks both engines to keep them. node-llama-cpp's side
// is checked here with a real tokenizer: a model whose vocabulary has the markers as
// control tokens, as DeepSeek-V3's has.
const MARKERS = [
  DEEPSEEK.callsBegin,
  DEEPSEEK.callsEnd,
  DEEPSEEK.callBegin,
  DEEPSEEK.callEnd,
  DEEPSEEK.sep,
];
const dir = mkdtempSync(join(tmpdir(), "quantdeck-preserved-"));
let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  const path = join(dir, "markers.gguf");
  synthesizeModel({ path, shape: demoDeepseek2Shape, specialTokens: MARKERS });
  llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error, build: "never" });
  model = await llama.loadModel({ modelPath: path });
});
afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("special tokens kept in a generation's text", () => {
  const call = `Sure.${DEEPSEEK.callsBegin}${DEEPSEEK.callBegin}function${DEEPSEEK.sep}get_weather\n\`\`\`json\n{"city": "Oslo"}\n\`\`\`${DEEPSEEK.callEnd}${DEEPSEEK.callsEnd}`;

  it("are dropped by plain detokenization, which is why they must be asked for", () => {
    const tokens = model.tokenize(call, true);
    expect(model.detokenize(tokens, false)).not.toContain(DEEPSEEK.callsBegin);
  });

  it("come back as text, chunk by chunk, with no other special token", () => {
    const preserved = preservedTokenIds(model, MARKERS);
    expect(preserved.size).toBe(MARKERS.length);
    // Text that is not a single special token (a word, the end-of-sentence mark is one but
    // not asked for) is not preserved.
    expect(preservedTokenIds(model, ["function", "<｜nothing｜>"]).size).toBe(0);

    const tokens = model.tokenize(`${call}${DEEPSEEK.end}`, true);
    let text = "";
    for (let i = 0; i < tokens.length; i += 3)
      text += detokenizeKeeping(model, tokens.slice(i, i + 3), preserved, tokens.slice(0, i));
    // Every special token's text but the one not asked for (this SPM vocabulary puts a space
    // before a word that follows a special token, as tokenizing the text did).
    expect(text).toBe(model.detokenize(tokens, true).replace(DEEPSEEK.end, ""));
    expect(text).toContain(`${DEEPSEEK.sep} get_weather`);
    // …and the call is read back from it.
    expect(parseDeepSeekCalls(text.slice(text.indexOf(DEEPSEEK.callsBegin)))).toEqual([
      { name: "get_weather", arguments: '{"city": "Oslo"}' },
    ]);
  });

  it("are asked for from both engines only when a DeepSeek model is offered tools", () => {
    const request = {
      mode: "chat" as const,
      messages: [{ role: "user" as const, content: "?" }],
      sampling: {},
      tools: [{ name: "get_weather", parameters: { type: "object", properties: {} } }],
    };
    const deepseek = { chatFormat: "DeepSeek", architecture: "deepseek2" };
    expect(preparePrompt(request, deepseek).preservedTokens).toEqual(MARKERS);
    expect(
      preparePrompt(request, { chatFormat: "ChatML", architecture: "llama" }).preservedTokens,
    ).toBeUndefined();
    expect(preparePrompt({ ...request, tools: [] }, deepseek).preservedTokens).toBeUndefined();
    const sampling = { temperature: 0, minP: 0, seed: 1, maxTokens: 4 };
    expect(completionBody("x", sampling, MARKERS)).toMatchObject({ preserved_tokens: MARKERS });
    expect(completionBody("x", sampling)).not.toHaveProperty("preserved_tokens");
  });
});
