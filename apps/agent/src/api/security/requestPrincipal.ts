import type { Principal } from "./requestGuard.js";

// Who made each request, as the request guard found it, for the handlers that care: a
// generation started with a named key is owned by it (its tokens are counted for the key,
// and revoking the key cancels it).

const principals = new WeakMap<Request, Principal>();
/** A request's Hono context, as far as this needs it. */
type RequestContext = { req: { raw: Request } };

export function setPrincipal(c: RequestContext, principal: Principal): void {
  principals.set(c.req.raw, principal);
}

/** The owner id of generations a request starts: `key:ID` for a named key, else none. */
export function generationOwner(c: RequestContext): string | undefined {
  const principal = principals.get(c.req.raw);
  return principal?.kind === "key" ? keyOwner(principal.key.id) : undefined;
}

export const keyOwner = (keyId: string) => `key:${keyId}`;
/** The key id of an owner id made by keyOwner, if it is one. */
export const keyOfOwner = (ownerId: string | undefined) =>
  ownerId?.startsWith("key:") ? ownerId.slice(4) : undefined;
