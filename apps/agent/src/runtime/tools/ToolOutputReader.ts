import { randomBytes } from "node:crypto";
import type { ToolCall, ToolDefinition } from "@quantdeck/shared";
import { parseNamedCall } from "./hermesToolFormat.js";
import type { ForcedCall } from "./toolPlan.js";

/** What a generation's output turns out to be, piece by piece: answer text, or part of a call. */
export type ToolPiece =
  | { kind: "text"; text: string }
  /** Part of call `index`: its id and name, and the next fragment of its arguments. */
  | { kind: "call"; index: number; id: string; name: string; arguments: string };

/** How calls appear in free output: where a section of calls starts, and how to read it. */
export interface CallSyntax {
  marker: string;
  parse(section: string): { name: string; arguments: string }[] | null;
}

const newCallId = () => `call_${randomBytes(12).toString("hex")}`;

/**
 * Reads a generation's text as it streams and separates the answer from its tool calls.
 *
 * - Free output (tool_choice auto): text streams until the call syntax's marker; from there
 *   it is held, and read at the end. Calls that parse, to known tools with JSON-object
 *   arguments, become calls; anything else goes out as text, as the model wrote it — a
 *   model's malformed call is an answer, not a failure.
 * - A forced call of a named tool: the output is its arguments (the grammar sees to it),
 *   streamed as they come.
 * - A forced call of one of several: the output is {"name", "arguments"}, read at the end.
 */
export class ToolOutputReader {
  private content = "";
  private pending = "";
  private section: string | null = null;
  private readonly calls: ToolCall[] = [];
  private readonly names: Set<string>;

  constructor(
    tools: ToolDefinition[],
    private readonly forced: ForcedCall | null,
    private readonly syntax: CallSyntax,
  ) {
    this.names = new Set(tools.map((t) => t.name));
  }

  push(text: string): ToolPiece[] {
    if (this.forced?.kind === "named") return [this.namedFragment(text)];
    if (this.forced?.kind === "pick" || this.section !== null) {
      this.section = (this.section ?? "") + text;
      return [];
    }
    this.pending += text;
    const at = this.pending.indexOf(this.syntax.marker);
    if (at >= 0) {
      this.section = this.pending.slice(at);
      return this.text(this.pending.slice(0, at), "");
    }
    // Hold back what may be the start of the marker, split across chunks.
    const cut = this.pending.length - heldTail(this.pending, this.syntax.marker);
    return this.text(this.pending.slice(0, cut), this.pending.slice(cut));
  }

  /** The rest of the pieces, and the answer: its text and its calls. */
  end(): { pieces: ToolPiece[]; text: string; toolCalls: ToolCall[] } {
    const pieces: ToolPiece[] = [];
    if (this.forced?.kind === "named") {
      if (this.calls.length === 0) pieces.push(this.namedFragment(""));
      for (const call of this.calls) call.arguments = call.arguments.trim();
    } else if (this.section !== null) {
      const calls =
        this.forced?.kind === "pick"
          ? onlyOne(parseNamedCall(this.section.trim()))
          : this.syntax.parse(this.section);
      if (calls && calls.every((c) => this.isValid(c))) {
        for (const call of calls) {
          const made = { id: newCallId(), name: call.name, arguments: call.arguments };
          pieces.push({ kind: "call", index: this.calls.length, ...made });
          this.calls.push(made);
        }
      } else {
        pieces.push(...this.text(this.section, ""));
      }
    } else if (this.pending) {
      pieces.push(...this.text(this.pending, ""));
    }
    return { pieces, text: this.content, toolCalls: this.calls };
  }

  private text(released: string, held: string): ToolPiece[] {
    this.pending = held;
    if (!released) return [];
    this.content += released;
    return [{ kind: "text", text: released }];
  }

  private namedFragment(text: string): ToolPiece {
    const forced = this.forced as Extract<ForcedCall, { kind: "named" }>;
    let call = this.calls[0];
    if (!call) {
      call = { id: newCallId(), name: forced.tool.name, arguments: "" };
      this.calls.push(call);
    }
    call.arguments += text;
    return { kind: "call", index: 0, id: call.id, name: call.name, arguments: text };
  }

  private isValid(call: { name: string; arguments: string }): boolean {
    if (!this.names.has(call.name)) return false;
    try {
      const args: unknown = JSON.parse(call.arguments);
      return typeof args === "object" && args !== null && !Array.isArray(args);
    } catch {
      return false;
    }
  }
}

const onlyOne = <T>(call: T | null): T[] | null => (call ? [call] : null);

/** How many characters at the end of `text` could begin `marker`. */
function heldTail(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--)
    if (marker.startsWith(text.slice(-n))) return n;
  return 0;
}
