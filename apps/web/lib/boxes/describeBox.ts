import type { BoxCheck } from "@quantdeck/shared";
import type { MessageKey } from "@/lib/i18n/messages";

/** A box's check in one word, as a message key: what a person needs to know at a glance. */
export function boxState(check: BoxCheck | null): { key: MessageKey; ok: boolean } {
  if (!check) return { key: "boxes.state.unchecked", ok: false };
  if (!check.reachable) return { key: "boxes.state.unreachable", ok: false };
  if (check.auth === "wrong") return { key: "boxes.state.tokenWrong", ok: false };
  if (check.auth === "missing") return { key: "boxes.state.tokenMissing", ok: false };
  if (!check.compatible) return { key: "boxes.state.protocol", ok: false };
  return { key: "boxes.state.ok", ok: true };
}
