import { describe, expect, it, vi } from "vitest";
import type { ApiError } from "../protocol/errors";
import { AgentSocketCore, SocketNotConnectedError, type SocketLike } from "./AgentSocketCore";

/** A socket the test drives: what the core sent, and the agent's side as calls. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
    this.onclose?.({});
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  welcome() {
    this.receive({ type: "welcome", agentVersion: "1.0.0", protocolVersion: 3, sessionId: "s" });
  }
}

class TestError extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.title);
  }
}

function setup(reconnect = false) {
  const sockets: FakeSocket[] = [];
  const core = new AgentSocketCore({
    connect: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    client: { name: "test", version: "0" },
    reconnect,
    toError: (error) => new TestError(error),
  });
  core.start();
  return { core, sockets, socket: () => sockets.at(-1) as FakeSocket };
}

const event = (generationId: string, kind: string, extra: object = {}) => ({
  type: "event",
  topic: "generations",
  data: { generationId, kind, ...extra },
});

describe("AgentSocketCore", () => {
  it("says hello on open, and is connected on welcome, subscriptions sent", async () => {
    const { core, socket } = setup();
    core.subscribe("runtime");
    socket().open();
    expect(socket().sent[0]).toMatchObject({ type: "hello", client: { name: "test" } });
    socket().welcome();
    await expect(core.connected()).resolves.toMatchObject({ agentVersion: "1.0.0" });
    expect(socket().sent.at(-1)).toEqual({ type: "subscribe", topics: ["runtime"] });
  });

  it("gives a generation its events, the ones before the agent named its id included", async () => {
    const { core, socket } = setup();
    socket().open();
    socket().welcome();
    const seen: string[] = [];
    const started = core.generate(
      { mode: "raw", prompt: "x", sampling: {} } as never,
      undefined,
      (e) => seen.push(e.kind),
    );
    const { requestId } = socket().sent.at(-1) as { requestId: string };
    socket().receive(event("g1", "queued", { position: 0 }));
    socket().receive({ type: "generationAccepted", requestId, generationId: "g1" });
    await expect(started).resolves.toBe("g1");
    socket().receive(event("g1", "text", { text: "hi" }));
    expect(seen).toEqual(["queued", "text"]);
  });

  it("rejects a refused request with the caller's error, and pending ones when the socket drops", async () => {
    const { core, socket } = setup();
    socket().open();
    socket().welcome();
    const refused = core.generate({} as never);
    const first = socket().sent.at(-1) as { requestId: string };
    socket().receive({
      type: "error",
      requestId: first.requestId,
      error: { code: "busy", title: "The queue is full" },
    });
    await expect(refused).rejects.toMatchObject({ apiError: { code: "busy" } });
    const dropped = core.generate({} as never);
    socket().close();
    await expect(dropped).rejects.toMatchObject({ apiError: { code: "agentUnreachable" } });
    expect(core.getState().kind).toBe("closed");
  });

  it("fails connected() on a version mismatch, and does not retry it", async () => {
    const { core, socket, sockets } = setup(true);
    socket().open();
    socket().receive({
      type: "rejected",
      reason: "agentTooOld",
      agentVersion: "9.0.0",
      agentProtocolVersion: 99,
    });
    await expect(core.connected()).rejects.toBeInstanceOf(SocketNotConnectedError);
    socket().close();
    expect(sockets).toHaveLength(1);
  });

  it("reconnects after a drop, with backoff, and subscribes again", () => {
    vi.useFakeTimers();
    try {
      const { core, socket, sockets } = setup(true);
      core.subscribe("monitor");
      socket().open();
      socket().welcome();
      socket().close();
      expect(core.getState()).toMatchObject({ kind: "reconnecting", attempt: 1 });
      vi.advanceTimersByTime(10_000);
      expect(sockets).toHaveLength(2);
      socket().open();
      socket().welcome();
      expect(socket().sent.at(-1)).toEqual({ type: "subscribe", topics: ["monitor"] });
      core.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
