import {
  toolDefinitionSchema,
  type OutputFormat,
  type ToolChoice,
  type ToolDefinition,
} from "@quantdeck/shared";
import { z } from "zod";

// What the playground's tools panel and output field hold as text, parsed: the parsed value
// or what is wrong with it, shown as the user types.

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export const EXAMPLE_TOOLS = JSON.stringify(
  [
    {
      name: "get_weather",
      description: "The weather now in a city",
      parameters: {
        type: "object",
        properties: {
          city: { type: "string" },
          unit: { enum: ["celsius", "fahrenheit"] },
        },
        required: ["city", "unit"],
      },
    },
  ],
  null,
  2,
);

/** Takes OpenAI's {type: "function", function: {...}} entries as well as ours. */
const toolEntrySchema = z.preprocess(
  (entry) =>
    typeof entry === "object" && entry !== null && "function" in entry ? entry.function : entry,
  toolDefinitionSchema,
);

function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/** The tools text: empty is no tools. */
export function parseTools(text: string): Parsed<ToolDefinition[]> {
  if (!text.trim()) return { ok: true, value: [] };
  const json = parseJson(text);
  if (!json.ok) return json;
  const parsed = z.array(toolEntrySchema).max(128).safeParse(json.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    problem: `${issue?.path.join(".") || "list"}: ${issue?.message ?? "invalid"}`,
  };
}

export type OutputMode = "text" | "json" | "jsonSchema";

/** The output field: free text, any JSON, or JSON valid against the schema text. */
export function parseOutputFormat(
  mode: OutputMode,
  schemaText: string,
): Parsed<OutputFormat | undefined> {
  if (mode === "text") return { ok: true, value: undefined };
  if (mode === "json") return { ok: true, value: { type: "json" } };
  const json = parseJson(schemaText);
  if (!json.ok) return json;
  if (typeof json.value !== "object" || json.value === null || Array.isArray(json.value))
    return { ok: false, problem: "expected an object" };
  return {
    ok: true,
    value: { type: "jsonSchema", schema: json.value as Record<string, unknown> },
  };
}

/** The choice select's value: "auto", "none", "required" or "name:NAME". */
export function toolChoiceOf(value: string): ToolChoice {
  if (value.startsWith("name:")) return { name: value.slice(5) };
  return value === "none" || value === "required" ? value : "auto";
}
