import { clientMessageSchema, type ApiError, type ClientMessage } from "@quantdeck/shared";
import { describeZodError } from "./describeZodError.js";

const knownTypes = new Set<string>(
  clientMessageSchema.options.map((option) => option.shape.type.value),
);

/** Turns raw WebSocket data into a typed message, or the error to send back. Never throws. */
export function parseClientMessage(
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
): { ok: true; message: ClientMessage } | { ok: false; error: ApiError } {
  if (isBinary) {
    return {
      ok: false,
      error: {
        code: "invalidMessage",
        title: "Binary messages are not supported",
        hint: "Send JSON text frames.",
      },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(
      Buffer.isBuffer(data)
        ? data.toString("utf8")
        : Buffer.concat(toBuffers(data)).toString("utf8"),
    );
  } catch {
    return {
      ok: false,
      error: {
        code: "invalidMessage",
        title: "The message is not valid JSON",
        hint: "Send one JSON object per message.",
      },
    };
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const type = typeof json === "object" && json !== null && "type" in json ? json.type : undefined;
  if (typeof type !== "string" || !knownTypes.has(type)) {
    return {
      ok: false,
      error: {
        code: "unknownMessageType",
        title: `Unknown message type ${JSON.stringify(type ?? null).slice(0, 60)}`,
        hint: `Known types: ${[...knownTypes].join(", ")}.`,
      },
    };
  }
  return {
    ok: false,
    error: {
      code: "invalidMessage",
      title: `Invalid ${type} message`,
      hint: describeZodError(parsed.error),
    },
  };
}

function toBuffers(data: ArrayBuffer | Buffer[]): Buffer[] {
  return Array.isArray(data) ? data : [Buffer.from(data)];
}
