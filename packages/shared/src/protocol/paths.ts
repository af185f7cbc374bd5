/** Where the agent serves things; the dashboard's server forwards these to the agent. */
export const WEBSOCKET_PATH = "/api/ws";
/**
 * Cookie that carries a browser's sign-in: a random session id (HttpOnly, SameSite=Strict,
 * expiring), never the token itself — cookies are not isolated by port, so every other
 * local web server receives it.
 */
export const SESSION_COOKIE = "quantdeck_session";
