import { describe, expect, it } from "vitest";
import { parseClientMessage } from "./parseClientMessage.js";

const text = (value: string) => Buffer.from(value);

describe("parseClientMessage", () => {
  it("parses a valid message", () => {
    expect(parseClientMessage(text('{"type":"ping","id":3}'), false)).toEqual({
      ok: true,
      message: { type: "ping", id: 3 },
    });
  });

  it("answers bad input with a typed error, never a throw", () => {
    const cases: [Buffer, boolean, string][] = [
      [text("{not json"), false, "invalidMessage"],
      [text("42"), false, "unknownMessageType"],
      [text('{"type":"explode"}'), false, "unknownMessageType"],
      [text('{"type":"subscribe","topics":["nope"]}'), false, "invalidMessage"],
      [text('{"type":"ping"}'), true, "invalidMessage"],
    ];
    for (const [data, binary, code] of cases) {
      const result = parseClientMessage(data, binary);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(code);
        expect(result.error.title.length).toBeGreaterThan(0);
      }
    }
  });

  it("names the field at fault", () => {
    const result = parseClientMessage(
      text('{"type":"hello","protocolVersion":"one","client":{"name":"x","version":"1"}}'),
      false,
    );
    expect(!result.ok && result.error.hint).toContain("protocolVersion");
  });
});
