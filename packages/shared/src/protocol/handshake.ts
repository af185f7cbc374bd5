import { z } from "zod";

/**
 * Why the agent refused a client's hello: `clientTooOld`, the client speaks an older
 * protocol than the agent (reload or update the client); `agentTooOld`, a newer one
 * (update the agent).
 */
export const rejectionReasonSchema = z.enum(["clientTooOld", "agentTooOld"]);
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;

/**
 * Decides whether two protocol versions can talk. Version 1 has no compatibility window:
 * the versions must be equal; when one is bumped, this is where the window goes.
 */
export function negotiateProtocol(
  clientVersion: number,
  agentVersion: number,
): { ok: true } | { ok: false; reason: RejectionReason } {
  if (clientVersion < agentVersion) return { ok: false, reason: "clientTooOld" };
  if (clientVersion > agentVersion) return { ok: false, reason: "agentTooOld" };
  return { ok: true };
}

/** WebSocket close code sent after a rejected hello (4000–4999 are for applications). */
export const CLOSE_PROTOCOL_MISMATCH = 4001;
/**
 * WebSocket close code for a client that does not read what it subscribed to: the agent
 * keeps at most a few MiB queued per connection, then lets it go (reconnect and read).
 */
export const CLOSE_SLOW_CONSUMER = 4008;
