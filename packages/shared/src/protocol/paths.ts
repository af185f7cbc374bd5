/** Where the agent serves things; the dashboard's server forwards these to the agent. */
export const API_PREFIX = "/api";
export const WEBSOCKET_PATH = "/api/ws";
/** Cookie that carries the access token for browsers (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = "quantdeck_token";
