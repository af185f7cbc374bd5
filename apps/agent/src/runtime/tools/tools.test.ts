import type { ChatMessage, GenerationRequest, ToolDefinition } from "@quantdeck/shared";
import { describe, expect, it } from "vitest";
import { AgentError } from "../../errors/AgentError.js";
import { DEEPSEEK, parseDeepSeekCalls, renderDeepSeekConversation } from "./deepseekToolFormat.js";
import { parseHermesCalls, renderHermesConversation } from "./hermesToolFormat.js";
import { preparePrompt } from "./toolPrompt.js";
import { planTools } from "./toolPlan.js";
import type { ToolPiece } from "./ToolOutputReader.js";

const weather: ToolDefinition = {
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const time: ToolDefinition = { name: "get_time", parameters: { type: "object", properties: {} } };
const deepseek = { chatFormat: "DeepSeek", architecture: "deepseek2" };
const llama = { chatFormat: "Llama 3.1", architecture: "llama" };

const chat = (
  messages: ChatMessage[],
  extra: Partial<Extract<GenerationRequest, { mode: "chat" }>> = {},
): GenerationRequest => ({ mode: "chat", messages, sampling: {}, ...extra });

const roundTrip: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Weather in Paris?" },
  {
    role: "assistant",
    content: "",
    toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
  },
  { role: "tool", content: '{"celsius":21}', toolCallId: "call_1" },
];

/** Feeds output to a request's reader in small chunks, as an engine streams it. */
function read(request: GenerationRequest, model: typeof deepseek, output: string, chunk = 3) {
  const { reader } = preparePrompt(request, model);
  if (!reader) throw new Error("no reader");
  const pieces: ToolPiece[] = [];
  for (let i = 0; i < output.length; i += chunk)
    pieces.push(...reader.push(output.slice(i, i + chunk)));
  const end = reader.end();
  return { pieces: [...pieces, ...end.pieces], text: end.text, toolCalls: end.toolCalls };
}

describe("DeepSeek-V3's tool format", () => {
  it("renders calls and results as its chat template does, the answer going on after the results", () => {
    const prompt = renderDeepSeekConversation(roundTrip, [weather]);
    expect(prompt.startsWith("Be brief.\n\n## Tools\n")).toBe(true);
    expect(prompt).toContain('Parameters: {"type":"object"');
    expect(prompt.slice(prompt.indexOf(DEEPSEEK.user))).toBe(
      "<｜User｜>Weather in Paris?<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n" +
        '{"city":"Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>' +
        '<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>{"celsius":21}<｜tool▁output▁end｜><｜tool▁outputs▁end｜>',
    );
  });

  it("parses the calls a model writes, and nothing from text that only looks like one", () => {
    const output = `${DEEPSEEK.callsBegin}${DEEPSEEK.callBegin}function${DEEPSEEK.sep}get_weather\n\`\`\`json\n{"city": "Oslo"}\n\`\`\`${DEEPSEEK.callEnd}\n${DEEPSEEK.callBegin}function${DEEPSEEK.sep}get_time\n\`\`\`json\n{}\n\`\`\`${DEEPSEEK.callEnd}${DEEPSEEK.callsEnd}`;
    expect(parseDeepSeekCalls(output)).toEqual([
      { name: "get_weather", arguments: '{"city": "Oslo"}' },
      { name: "get_time", arguments: "{}" },
    ]);
    expect(parseDeepSeekCalls(`${DEEPSEEK.callsBegin}get_weather(city=Oslo)`)).toBeNull();
  });

  it("streams text, then reads the calls at the end; a marker split across chunks is held back", () => {
    const output = `Let me look.${DEEPSEEK.callsBegin}${DEEPSEEK.callBegin}function${DEEPSEEK.sep}get_weather\n\`\`\`json\n{"city":"Oslo"}\n\`\`\`${DEEPSEEK.callEnd}${DEEPSEEK.callsEnd}`;
    const { pieces, text, toolCalls } = read(
      chat([{ role: "user", content: "?" }], { tools: [weather, time] }),
      deepseek,
      output,
    );
    expect(text).toBe("Let me look.");
    expect(
      pieces
        .filter((p) => p.kind === "text")
        .map((p) => (p as { text: string }).text)
        .join(""),
    ).toBe("Let me look.");
    expect(toolCalls).toMatchObject([{ name: "get_weather", arguments: '{"city":"Oslo"}' }]);
    expect(toolCalls[0]?.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(pieces.at(-1)).toMatchObject({ kind: "call", index: 0, name: "get_weather" });
  });

  it("gives a malformed call back as text: an unknown function, or arguments that are not an object", () => {
    for (const [name, args] of [
      ["launch_rockets", "{}"],
      ["get_weather", "[1, 2]"],
      ["get_weather", "{city: Oslo"],
    ]) {
      const output = `${DEEPSEEK.callsBegin}${DEEPSEEK.callBegin}function${DEEPSEEK.sep}${name}\n\`\`\`json\n${args}\n\`\`\`${DEEPSEEK.callEnd}${DEEPSEEK.callsEnd}`;
      const { text, toolCalls } = read(
        chat([{ role: "user", content: "?" }], { tools: [weather] }),
        deepseek,
        output,
      );
      expect(toolCalls).toEqual([]);
      expect(text).toBe(output);
    }
  });

  it("forces a named call: the prompt ends at its arguments, which stream as they come", () => {
    const request = chat([{ role: "user", content: "?" }], {
      tools: [weather, time],
      toolChoice: { name: "get_weather" },
    });
    const prepared = preparePrompt(request, deepseek);
    expect(prepared.prompt.mode).toBe("raw");
    const text = prepared.prompt.mode === "raw" ? prepared.prompt.text : "";
    expect(
      text.endsWith(
        `<｜Assistant｜>${DEEPSEEK.callsBegin}${DEEPSEEK.callBegin}function${DEEPSEEK.sep}get_weather\n\`\`\`json\n`,
      ),
    ).toBe(true);
    expect(prepared.sampling.format).toEqual({
      type: "jsonSchema",
      schema: {
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
        additionalProperties: false,
      },
    });
    const { pieces, toolCalls } = read(request, deepseek, '{"city": "Rome"} ');
    expect(
      pieces.every((p) => p.kind === "call" && p.index === 0 && p.name === "get_weather"),
    ).toBe(true);
    expect(pieces.map((p) => (p.kind === "call" ? p.arguments : "")).join("")).toBe(
      '{"city": "Rome"} ',
    );
    expect(toolCalls).toMatchObject([{ name: "get_weather", arguments: '{"city": "Rome"}' }]);
  });

  it("forces one of several: a grammar over every tool's name and arguments", () => {
    const request = chat([{ role: "user", content: "?" }], {
      tools: [weather, time],
      toolChoice: "required",
    });
    const { sampling } = preparePrompt(request, deepseek);
    expect(sampling.format).toMatchObject({
      type: "jsonSchema",
      schema: {
        oneOf: [
          { properties: { name: { const: "get_weather" } } },
          { properties: { name: { const: "get_time" } } },
        ],
      },
    });
    const { toolCalls } = read(request, deepseek, '{"name": "get_time", "arguments": {}}');
    expect(toolCalls).toMatchObject([{ name: "get_time", arguments: "{}" }]);
  });
});

describe("other models: Hermes' convention inside the model's template", () => {
  it("writes tools into the system turn, calls into the assistant turn and results into one user turn", () => {
    const turns = renderHermesConversation(
      [...roundTrip, { role: "tool", content: "second", toolCallId: "call_2" }],
      [weather],
      null,
    );
    expect(turns.map((t) => t.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(turns[0]?.content).toContain(
      '<tools>\n{"type":"function","function":{"name":"get_weather"',
    );
    expect(turns[2]?.content).toBe(
      '<tool_call>\n{"name": "get_weather", "arguments": {"city":"Paris"}}\n</tool_call>',
    );
    expect(turns[3]?.content).toBe(
      '<tool_response>\n{"celsius":21}\n</tool_response>\n<tool_response>\nsecond\n</tool_response>',
    );
  });

  it("parses calls, the last one unclosed, and refuses a section with one that is not a call", () => {
    expect(
      parseHermesCalls(
        '<tool_call>\n{"name": "a", "arguments": {"x": 1}}\n</tool_call>\n<tool_call>{"name": "b"}',
      ),
    ).toEqual([
      { name: "a", arguments: '{"x":1}' },
      { name: "b", arguments: "{}" },
    ]);
    expect(parseHermesCalls("<tool_call>get_weather Paris</tool_call>")).toBeNull();
  });

  it("reads a call out of streamed output, keeping the text before it", () => {
    const { text, toolCalls } = read(
      chat([{ role: "user", content: "?" }], { tools: [weather] }),
      llama,
      'Sure. <tool_call>\n{"name": "get_weather", "arguments": {"city": "Kyoto"}}\n</tool_call>',
      1,
    );
    expect(text).toBe("Sure. ");
    expect(toolCalls).toMatchObject([{ name: "get_weather", arguments: '{"city":"Kyoto"}' }]);
  });

  it("passes text that only starts like a marker", () => {
    const { text, toolCalls } = read(
      chat([{ role: "user", content: "?" }], { tools: [weather] }),
      llama,
      "a <tool is fine <tool_",
    );
    expect(text).toBe("a <tool is fine <tool_");
    expect(toolCalls).toEqual([]);
  });
});

describe("tool requests that cannot be served", () => {
  const refused = (extra: Partial<Extract<GenerationRequest, { mode: "chat" }>>) => {
    try {
      planTools(chat([{ role: "user", content: "?" }], extra));
    } catch (error) {
      return error instanceof AgentError
        ? `${error.status} ${error.apiError.title}`
        : String(error);
    }
    return "served";
  };

  it("refuses each with a 400 that names the problem", () => {
    expect(refused({ toolChoice: "required" })).toMatch(/^400 .*no tools/);
    expect(refused({ tools: [weather], toolChoice: { name: "nope" } })).toMatch(
      /^400 .*nope, which is not among/,
    );
    expect(refused({ tools: [weather, weather] })).toMatch(/^400 Two tools are named get_weather/);
    expect(refused({ tools: [weather], sampling: { format: { type: "json" } } })).toMatch(
      /^400 Tools and a response format/,
    );
    expect(
      refused({
        tools: [
          {
            name: "f",
            parameters: { type: "object", properties: { a: { type: "string", pattern: "x+" } } },
          },
        ],
        toolChoice: "required",
      }),
    ).toMatch(/^400 .*"pattern"/);
    expect(refused({ tools: [weather], toolChoice: "none" })).toBe("served");
  });

  it("with tool_choice none, neither describes the tools nor reads calls", () => {
    const prepared = preparePrompt(
      chat([{ role: "user", content: "?" }], { tools: [weather], toolChoice: "none" }),
      llama,
    );
    expect(prepared.reader).toBeNull();
    expect(JSON.stringify(prepared.prompt)).not.toContain("get_weather");
  });
});
