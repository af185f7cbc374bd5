import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The connections each named key has open (a streamed answer can last minutes), so that
 * revoking a key closes them at once instead of letting them run to the end.
 */
export class KeyConnections {
  private readonly open = new Map<string, Set<IncomingMessage>>();

  track(keyId: string, request: IncomingMessage, response: ServerResponse): void {
    const requests = this.open.get(keyId) ?? new Set();
    requests.add(request);
    this.open.set(keyId, requests);
    response.once("close", () => {
      requests.delete(request);
      if (requests.size === 0 && this.open.get(keyId) === requests) this.open.delete(keyId);
    });
  }

  /** Cuts every connection the key has open mid-request (their streams end there). */
  closeAll(keyId: string): void {
    for (const request of this.open.get(keyId) ?? []) request.socket.destroy();
    this.open.delete(keyId);
  }
}
