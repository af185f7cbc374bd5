import { describe, expect, it } from "vitest";
import { AGENT_MESSAGES, agentText, agentTextSchema, renderAgentText } from "./agentText";
import { ERROR_TEXT, errorTitle } from "./errorText";

const placeholders = (template: string) =>
  [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("texts the agent composes", () => {
  it("have the same placeholders in every language", () => {
    for (const [key, { en, ja }] of Object.entries(AGENT_MESSAGES))
      expect(placeholders(ja), key).toEqual(placeholders(en));
    for (const [code, en] of Object.entries(ERROR_TEXT.en))
      expect(placeholders(ERROR_TEXT.ja[code as keyof typeof ERROR_TEXT.ja]), code).toEqual(
        placeholders(en),
      );
  });

  it("carry their English rendering, and render nested texts in the reader's language", () => {
    const formula = agentText("plan.formula", {
      effLow: 0.5,
      effHigh: 0.8,
      experts: agentText("plan.formula.experts", { used: 8, count: 256 }),
      gpuActive: "12 GB",
      cpuActive: "3 GB",
      gpu: "",
      cpuBandwidth: 40,
      cores: 2,
    });
    expect(formula.text).toContain("routed experts in use (8 of 256): 12 GB on the GPUs");
    expect(agentTextSchema.parse(JSON.parse(JSON.stringify(formula)))).toEqual(formula);
    const ja = renderAgentText(formula, "ja");
    expect(ja).toContain("（256 個中 8 個）");
    expect(ja).not.toMatch(/\{\w+\}/);
  });

  it("error titles fill the error's values, or leave the name when one is missing", () => {
    expect(errorTitle("busy", "ja", { waiting: 3 })).toBe("エンジンが混み合っています（3 件待ち）");
    expect(errorTitle("busy", "en")).toBe("The engine is busy ({waiting} requests waiting)");
  });
});
