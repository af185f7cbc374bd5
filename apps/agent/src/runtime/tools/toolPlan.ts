import type { GenerationRequest, OutputFormat, ToolDefinition } from "@quantdeck/shared";
import { badRequest } from "../../errors/commonErrors.js";
import { normaliseJsonSchema, unsupportedSchema } from "../outputFormat/jsonSchemaSubset.js";

type ChatRequest = Extract<GenerationRequest, { mode: "chat" }>;

/** A call the grammar enforces: of the one tool named, or of one of several (the model picks). */
export type ForcedCall =
  { kind: "named"; tool: ToolDefinition } | { kind: "pick"; tools: ToolDefinition[] };

/** How a chat request uses tools, checked: what the prompt shows and what the output must be. */
export interface ToolPlan {
  /** The functions the prompt describes (none when tool_choice is "none"). */
  tools: ToolDefinition[];
  forced: ForcedCall | null;
  /** For a forced call: the grammar's format (the arguments, or a name and arguments). */
  format?: OutputFormat;
}

/**
 * Checks a chat request's tools and tool turns, and plans how they are rendered and read;
 * null when the request has neither (it is rendered as before). A request that cannot be
 * served is a 400 that names the problem.
 */
export function planTools(request: GenerationRequest): ToolPlan | null {
  if (request.mode !== "chat") return null;
  const tools = request.tools ?? [];
  const hasToolTurns = request.messages.some(
    (m) => m.role === "tool" || (m.toolCalls?.length ?? 0) > 0,
  );
  if (tools.length === 0 && !hasToolTurns && request.toolChoice === undefined) return null;
  checkNames(tools);
  const choice = request.toolChoice ?? "auto";
  if (choice === "none") return { tools: [], forced: null };
  if (tools.length > 0 && request.sampling.format)
    throw badRequest(
      "Tools and a response format cannot be combined",
      "Send either tools or response_format (a forced tool call is already JSON).",
    );
  const forced = forcedCall(request, choice, tools);
  return { tools, forced, ...(forced && { format: formatOf(forced) }) };
}

function checkNames(tools: ToolDefinition[]) {
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name))
      throw badRequest(`Two tools are named ${tool.name}`, "Give every tool its own name.");
    seen.add(tool.name);
  }
}

function forcedCall(
  request: ChatRequest,
  choice: Exclude<NonNullable<ChatRequest["toolChoice"]>, "none">,
  tools: ToolDefinition[],
): ForcedCall | null {
  if (choice === "auto") return null;
  if (tools.length === 0)
    throw badRequest(
      "tool_choice asks for a tool call, but the request has no tools",
      "Send the functions in tools, or leave tool_choice out.",
    );
  if (choice === "required")
    return tools.length === 1 && tools[0]
      ? { kind: "named", tool: tools[0] }
      : { kind: "pick", tools };
  const tool = tools.find((t) => t.name === choice.name);
  if (!tool)
    throw badRequest(
      `tool_choice names ${choice.name.slice(0, 64)}, which is not among the tools`,
      `The tools are: ${tools.map((t) => t.name).join(", ")}.`,
    );
  return { kind: "named", tool };
}

function formatOf(forced: ForcedCall): OutputFormat {
  if (forced.kind === "named")
    return {
      type: "jsonSchema",
      schema: normaliseJsonSchema(forced.tool.parameters),
    };
  return {
    type: "jsonSchema",
    schema: {
      oneOf: forced.tools.map((tool) => {
        const parameters = normaliseJsonSchema(tool.parameters);
        if (JSON.stringify(parameters).includes('"$ref"'))
          throw unsupportedSchema(
            `$ref in the parameters of ${tool.name}`,
            "",
            'With tool_choice "required" and several tools, parameters cannot use $ref; name one tool, or inline the definitions.',
          );
        return {
          type: "object",
          properties: { name: { const: tool.name }, arguments: parameters },
          required: ["name", "arguments"],
          additionalProperties: false,
        };
      }),
    },
  };
}
