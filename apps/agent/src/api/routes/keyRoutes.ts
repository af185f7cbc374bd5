import { api } from "@quantdeck/shared";
import type { Hono } from "hono";
import type { ApiKeyStore } from "../security/ApiKeyStore.js";
import { serveRoute } from "../serveRoute.js";
import { log } from "../../util/log.js";

/** Named API keys: admin only (no key scope but admin reaches /api/keys). */
export function keyRoutes(app: Hono, keys: ApiKeyStore) {
  serveRoute(app, api.keys, () => ({ keys: keys.list() }));

  serveRoute(app, api.createKey, ({ body }) => {
    const created = keys.create(body.name, body.scope);
    // The key itself is never logged: its name and prefix tell it apart.
    log.info("api key created", {
      name: created.name,
      scope: created.scope,
      prefix: created.prefix,
    });
    return created;
  });

  serveRoute(app, api.revokeKey, ({ params }) => {
    const revoked = keys.revoke(params.id);
    log.info("api key revoked", { name: revoked.name, prefix: revoked.prefix });
    return { deleted: revoked.id };
  });
}
