/**
 * The wire protocol's version. Bump it on any change an older peer could misread; the
 * agent and the dashboard compare versions in the WebSocket handshake.
 */
export const PROTOCOL_VERSION = 1;
