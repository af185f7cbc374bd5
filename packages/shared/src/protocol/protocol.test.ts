import { describe, expect, it } from "vitest";
import { clientMessageSchema, serverMessageSchema } from "./envelope";
import { negotiateProtocol } from "./handshake";
import { PROTOCOL_VERSION } from "./version";

describe("negotiateProtocol", () => {
  it("accepts equal versions", () => {
    expect(negotiateProtocol(PROTOCOL_VERSION, PROTOCOL_VERSION)).toEqual({ ok: true });
  });
  it("tells an older client that it is too old", () => {
    expect(negotiateProtocol(1, 2)).toEqual({ ok: false, reason: "clientTooOld" });
  });
  it("tells a newer client that the agent is too old", () => {
    expect(negotiateProtocol(3, 2)).toEqual({ ok: false, reason: "agentTooOld" });
  });
});

describe("clientMessageSchema", () => {
  it("parses a hello", () => {
    const hello = { type: "hello", protocolVersion: 1, client: { name: "test", version: "0" } };
    expect(clientMessageSchema.parse(hello)).toEqual(hello);
  });
  it("refuses unknown types and topics", () => {
    expect(clientMessageSchema.safeParse({ type: "launchMissiles" }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ type: "subscribe", topics: ["nope"] }).success).toBe(
      false,
    );
    expect(clientMessageSchema.safeParse({ type: "subscribe", topics: [] }).success).toBe(false);
  });
  it("refuses a hello without a version", () => {
    expect(
      clientMessageSchema.safeParse({ type: "hello", client: { name: "x", version: "1" } }).success,
    ).toBe(false);
  });
});

describe("serverMessageSchema", () => {
  it("parses a rejection with its reason", () => {
    const message = {
      type: "rejected",
      reason: "agentTooOld",
      agentProtocolVersion: 1,
      agentVersion: "0.1.0",
    };
    expect(serverMessageSchema.parse(message)).toEqual(message);
  });
  it("parses an error with code, title and hint", () => {
    const message = {
      type: "error",
      error: { code: "invalidMessage", title: "Invalid subscribe message", hint: "Use status" },
    };
    expect(serverMessageSchema.parse(message)).toEqual(message);
  });
  it("refuses an error with an unknown code", () => {
    expect(
      serverMessageSchema.safeParse({ type: "error", error: { code: "oops", title: "x" } }).success,
    ).toBe(false);
  });
});
