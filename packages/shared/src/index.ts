export * from "./protocol/envelope";
export * from "./protocol/errors";
export * from "./protocol/handshake";
export * from "./protocol/paths";
export * from "./protocol/status";
export * from "./protocol/version";
export * from "./protocol/models";
export * from "./protocol/runtime";
