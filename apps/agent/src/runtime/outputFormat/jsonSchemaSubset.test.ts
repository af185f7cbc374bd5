import { describe, expect, it } from "vitest";
import { AgentError } from "../../errors/AgentError.js";
import { normaliseJsonSchema } from "./jsonSchemaSubset.js";

function refusal(schema: unknown): { title: string; values: unknown } {
  try {
    normaliseJsonSchema(schema);
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    expect(error.status).toBe(400);
    expect(error.apiError.code).toBe("unsupportedSchema");
    return { title: error.apiError.title, values: error.apiError.values };
  }
  throw new Error("accepted");
}

describe("the JSON schema subset both engines enforce", () => {
  it("normalises: anyOf as oneOf, definitions as $defs, every property required, annotations dropped", () => {
    expect(
      normaliseJsonSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "t",
        type: "object",
        properties: {
          a: { anyOf: [{ type: "null" }, { $ref: "#/definitions/x" }], default: null },
          b: { type: ["string", "null"], maxLength: 3, examples: ["x"] },
        },
        required: ["a"],
        definitions: { x: { enum: [1, "two", true, null] } },
      }),
    ).toEqual({
      type: "object",
      properties: {
        a: { oneOf: [{ type: "null" }, { $ref: "#/$defs/x" }] },
        b: { type: ["string", "null"], maxLength: 3 },
      },
      required: ["a", "b"],
      additionalProperties: false,
      $defs: { x: { enum: [1, "two", true, null] } },
    });
    expect(normaliseJsonSchema({})).toEqual({});
    expect(normaliseJsonSchema({ type: "object", additionalProperties: true })).toEqual({
      type: "object",
      additionalProperties: true,
    });
  });

  it.each([
    [{ type: "string", pattern: "^a$" }, '"pattern"', "/pattern"],
    [
      { type: "object", properties: { n: { type: "integer", minimum: 0 } } },
      '"minimum"',
      "/properties/n/minimum",
    ],
    [{ allOf: [{ type: "string" }] }, '"allOf"', "/allOf"],
    [{ type: "decimal" }, 'the type "decimal"', "/type"],
    [{ type: "string", format: "email" }, 'the format "email"', "/format"],
    [{ $ref: "https://example.com/s.json" }, 'the reference "https://example.com/s.json"', "/$ref"],
    [{ $ref: "#/$defs/missing" }, 'the reference "#/$defs/missing"', "/$ref"],
    [
      { type: "object", properties: {}, required: ["ghost"] },
      '"required" naming "ghost"',
      "/required",
    ],
    [{ enum: [{ nested: 1 }] }, '"enum" with values', "/enum"],
    [{ type: "array", maxItems: -1 }, '"maxItems" that is not a whole number', "/maxItems"],
    [[], "a value that is not an object", "#"],
  ])("refuses %j, naming %s at %s", (schema, what, path) => {
    const { title, values } = refusal(schema);
    expect(title).toContain(what);
    expect(values).toMatchObject({ path });
  });

  it("bounds what a request can make the grammar builders do", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 40; i++) deep = { type: "array", items: deep };
    expect(refusal(deep).title).toContain("nesting deeper than 32");
    const wide = { oneOf: Array.from({ length: 3000 }, () => ({ type: "null" })) };
    expect(refusal(wide).title).toContain("more than 2000 parts");
  });
});
