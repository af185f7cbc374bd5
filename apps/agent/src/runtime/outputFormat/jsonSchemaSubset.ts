import { AgentError } from "../../errors/AgentError.js";

// Structured output is enforced by grammar-constrained sampling, and both engines turn a
// JSON schema into a grammar: node-llama-cpp's own converter and llama-server's. They
// accept different keywords and treat some differently (node-llama-cpp always writes every
// property). This is the subset both enforce the same way. A schema is checked against it
// and normalised before either engine sees it, so the same request gives the same kind of
// answer on either engine, and a keyword neither could enforce is refused by name instead
// of being silently ignored.

/** Annotations: no effect on what is valid; kept or dropped freely. */
const ANNOTATIONS = new Set([
  "title",
  "description",
  "$schema",
  "$id",
  "$comment",
  "default",
  "examples",
  "readOnly",
  "writeOnly",
  "deprecated",
]);
/** Keywords the grammar enforces, by the kind of schema they belong to. */
const ENFORCED = new Set([
  "type",
  "enum",
  "const",
  "oneOf",
  "anyOf",
  "$ref",
  "$defs",
  "definitions",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "format",
]);
const TYPES = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);
const FORMATS = new Set(["date-time", "date", "time"]);
/** Bounds on what a request may ask the grammar builders to do. */
const MAX_NODES = 2_000;
const MAX_DEPTH = 32;

export const unsupportedSchema = (what: string, path: string, hint?: string) =>
  new AgentError({
    code: "unsupportedSchema",
    title: `The JSON schema uses ${what} at ${path || "its root"}, which structured output cannot enforce`,
    values: { what, path: path || "#" },
    hint:
      hint ??
      "Supported: type, enum, const, oneOf/anyOf, $ref to $defs, properties, required, additionalProperties, items, prefixItems, min/maxItems, min/maxLength, format date-time/date/time. Every property is always written.",
  });

/**
 * Checks a JSON schema against the subset both engines enforce and returns it normalised:
 * anyOf as oneOf, definitions as $defs, every property required (both engines then write
 * every property), additionalProperties false unless given, annotations dropped.
 */
export function normaliseJsonSchema(schema: unknown): Record<string, unknown> {
  let nodes = 0;
  const root = isObject(schema) ? schema : null;
  if (!root) throw unsupportedSchema("a value that is not an object", "");
  const defs = { ...asObject(root.$defs), ...asObject(root.definitions) };

  function visit(node: unknown, path: string, depth: number): Record<string, unknown> {
    if (++nodes > MAX_NODES) throw unsupportedSchema(`more than ${MAX_NODES} parts`, path);
    if (depth > MAX_DEPTH) throw unsupportedSchema(`nesting deeper than ${MAX_DEPTH}`, path);
    if (node === true || (isObject(node) && Object.keys(node).length === 0)) return {};
    if (!isObject(node)) throw unsupportedSchema("a schema that is not an object", path);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const at = `${path}/${key}`;
      if (ANNOTATIONS.has(key)) {
        if (key === "description" && typeof value === "string") out.description = value;
        continue;
      }
      if (!ENFORCED.has(key)) throw unsupportedSchema(`"${key}"`, at);
      switch (key) {
        case "type": {
          const types: unknown[] = Array.isArray(value) ? value : [value];
          const unknown = types.find((t) => typeof t !== "string" || !TYPES.has(t));
          if (types.length === 0 || unknown !== undefined)
            throw unsupportedSchema(`the type ${JSON.stringify(unknown ?? [])}`, at);
          out.type = value;
          break;
        }
        case "enum":
        case "const": {
          const values = key === "enum" ? value : [value];
          if (!Array.isArray(values) || values.length === 0 || !values.every(isScalar))
            throw unsupportedSchema(
              `"${key}" with values that are not strings, numbers, booleans or null`,
              at,
            );
          out[key] = value;
          break;
        }
        case "oneOf":
        case "anyOf": {
          if (!Array.isArray(value) || value.length === 0)
            throw unsupportedSchema(`"${key}" that is not a list of schemas`, at);
          out.oneOf = value.map((option, i) => visit(option, `${at}/${i}`, depth + 1));
          break;
        }
        case "$ref": {
          const name =
            typeof value === "string"
              ? /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(value)?.[1]
              : undefined;
          if (name === undefined || !(name in defs))
            throw unsupportedSchema(
              `the reference ${JSON.stringify(value)}`,
              at,
              "References must point into the schema's own $defs (#/$defs/NAME).",
            );
          out.$ref = `#/$defs/${name}`;
          break;
        }
        case "$defs":
        case "definitions":
          break; // visited once, from the root, below
        case "properties": {
          if (!isObject(value)) throw unsupportedSchema(`"properties" that is not an object`, at);
          out.properties = Object.fromEntries(
            Object.entries(value).map(([name, property]) => [
              name,
              visit(property, `${at}/${name}`, depth + 1),
            ]),
          );
          break;
        }
        case "required": {
          const names = Object.keys(asObject(node.properties));
          const missing: unknown = Array.isArray(value)
            ? (value as unknown[]).find((name) => !names.includes(name as string))
            : value;
          if (missing !== undefined)
            throw unsupportedSchema(
              `"required" naming ${JSON.stringify(missing)}, which has no schema in "properties"`,
              at,
            );
          break; // every property is required, below
        }
        case "additionalProperties":
          out.additionalProperties =
            typeof value === "boolean" ? value : visit(value, at, depth + 1);
          break;
        case "items":
          out.items = visit(value, at, depth + 1);
          break;
        case "prefixItems":
          if (!Array.isArray(value))
            throw unsupportedSchema(`"prefixItems" that is not a list`, at);
          out.prefixItems = value.map((item, i) => visit(item, `${at}/${i}`, depth + 1));
          break;
        case "format":
          if (typeof value !== "string" || !FORMATS.has(value))
            throw unsupportedSchema(`the format ${JSON.stringify(value)}`, at);
          out.format = value;
          break;
        default: // minItems, maxItems, minLength, maxLength
          if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 100_000)
            throw unsupportedSchema(`"${key}" that is not a whole number up to 100000`, at);
          out[key] = value;
      }
    }
    if (isObject(out.properties)) {
      out.required = Object.keys(out.properties);
      out.additionalProperties ??= false;
    }
    return out;
  }

  const normalised = visit(root, "", 0);
  const defNames = Object.keys(defs);
  if (defNames.length > 0)
    normalised.$defs = Object.fromEntries(
      defNames.map((name) => [name, visit(defs[name], `/$defs/${name}`, 1)]),
    );
  return normalised;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
const asObject = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const isScalar = (value: unknown) =>
  value === null || ["string", "number", "boolean"].includes(typeof value);
