import { describe, expect, it } from "vitest";
import { escapeControls, log, recentLogLines } from "./log.js";

describe("log lines", () => {
  it("cannot be forged or turned into terminal commands by what they quote", () => {
    log.info("request\nERROR  forged line", {
      path: "/x\r\nINFO  agent hacked",
      agent: "\u001b]0;pwned\u0007\u001b[2J",
      c1: "\u009b31m",
    });
    const [line] = recentLogLines(1);
    expect(line?.text).not.toMatch(/\p{Cc}/u);
    expect(line?.text).toContain("\\u000a");
    expect(line?.text).toContain("\\u001b");
    expect(line?.text).toContain("\\u009b");
    expect(line?.text.startsWith("INFO  request\\u000aERROR")).toBe(true);
  });

  it("leaves ordinary text alone", () => {
    expect(escapeControls("日本語 tokens/s 42 ✓")).toBe("日本語 tokens/s 42 ✓");
  });
});
