import { describe, expect, it } from "vitest";
import { deepseekSystemPrompt, generationRequestSchema, loadOptionsSchema } from "./runtime";

describe("deepseekSystemPrompt", () => {
  it("writes the date as DeepSeek's official prompt does", () => {
    // The guide's own example: 2025-03-24 (Monday) -> 今天是3月24日，星期一。
    expect(deepseekSystemPrompt(new Date(2025, 2, 24))).toBe(
      "该助手为DeepSeek Chat，由深度求索公司创造。\n今天是3月24日，星期一。",
    );
    expect(deepseekSystemPrompt(new Date(2026, 10, 29))).toContain("今天是11月29日，星期日。");
  });
});

describe("generation requests", () => {
  it("take chat or raw mode and fill sampling defaults", () => {
    const raw = generationRequestSchema.parse({
      mode: "raw",
      prompt: "<｜User｜>hi<｜Assistant｜>",
    });
    expect(raw).toEqual({ mode: "raw", prompt: "<｜User｜>hi<｜Assistant｜>", sampling: {} });
    expect(generationRequestSchema.safeParse({ mode: "chat", messages: [] }).success).toBe(false);
  });
  it("refuse out-of-range sampling", () => {
    const bad = generationRequestSchema.safeParse({
      mode: "raw",
      prompt: "x",
      sampling: { temperature: 9 },
    });
    expect(bad.success).toBe(false);
  });
});

describe("load options", () => {
  it("accept the reference recipe and refuse unknown cache types", () => {
    expect(
      loadOptionsSchema.parse({
        contextSize: 4096,
        kvCacheKeyType: "q8_0",
        gpuLayers: 2,
        priority: "high",
      }),
    ).toBeTruthy();
    expect(loadOptionsSchema.safeParse({ kvCacheKeyType: "q3_k" }).success).toBe(false);
    expect(loadOptionsSchema.safeParse({ gpuLayers: "some" }).success).toBe(false);
  });
});
