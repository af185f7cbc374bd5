import { describe, expect, it } from "vitest";
import { messages, translate } from "./messages";

describe("messages", () => {
  it("gives Japanese every English key, each translated and non-empty", () => {
    expect(Object.keys(messages.ja).sort()).toEqual(Object.keys(messages.en).sort());
    for (const value of Object.values(messages.ja)) expect(value.trim()).not.toBe("");
  });

  it("keeps the same placeholders in both languages", () => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(messages.en) as (keyof typeof messages.en)[]) {
      expect(placeholders(messages.ja[key]), key).toEqual(placeholders(messages.en[key]));
    }
  });

  it("fills placeholders", () => {
    expect(translate("en", "connection.retryIn", { seconds: 4 })).toBe("Retrying in 4 s");
    expect(translate("ja", "connection.retryIn", { seconds: 4 })).toBe("4 秒後に再試行");
  });
});

describe("guide tips", () => {
  it("has a Japanese line for every tip in the seed data", async () => {
    const { seedCatalog } = await import("@quantdeck/shared");
    const { guideTips, guideTipsJapaneseCount } = await import("./guideTips");
    expect(guideTipsJapaneseCount).toBe(seedCatalog.tips.length);
    expect(guideTips("en")).toEqual(seedCatalog.tips);
  });
});
