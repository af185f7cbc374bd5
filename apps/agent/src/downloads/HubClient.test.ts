import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentError } from "../errors/AgentError.js";
import { HubClient } from "./HubClient.js";

// A hub that answers whatever listing a test gives it, over real HTTP on loopback.
let answer: (url: string) => { body: string; link?: string } = () => ({ body: "[]" });
let requests = 0;
let server: Server;
let hub: HubClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    const { body, link } = answer(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json", ...(link && { link }) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hub = new HubClient(
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    () => undefined,
  );
});
afterAll(() => server.close());

const oid = "a".repeat(64);
const listing = (entries: unknown[]) => () => ({ body: JSON.stringify(entries) });

describe("HubClient against a hostile hub", () => {
  it("reads a well-formed listing", async () => {
    answer = listing([
      { type: "file", path: "m.gguf", size: 10, lfs: { oid, size: 1_000_000 } },
      { type: "directory", path: "sub" },
      { type: "file", path: "README.md", size: 12 },
    ]);
    expect(await hub.listFiles("org/name")).toEqual([
      { path: "m.gguf", size: 1_000_000, sha256: oid },
      { path: "README.md", size: 12, sha256: null },
    ]);
  });

  it.each([
    ["a negative size", { type: "file", path: "m.gguf", size: -5 }],
    ["a size beyond any disk", { type: "file", path: "m.gguf", size: 2 ** 60 }],
    ["a size that is not a number", { type: "file", path: "m.gguf", size: "12 GB" }],
    [
      "an LFS hash that is not sha256",
      { type: "file", path: "m.gguf", lfs: { oid: "x", size: 1 } },
    ],
    ["no path", { type: "file", size: 1 }],
  ])("refuses a listing with %s, naming the entry", async (_what, entry) => {
    answer = listing([entry]);
    const error = await hub.listFiles("org/name").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ code: "hubUnreachable" });
  });

  it("stops at a next page that points to itself, after one request", async () => {
    answer = (url) => ({ body: "[]", link: `<${url}>; rel="next"` });
    requests = 0;
    await expect(hub.listFiles("org/name")).rejects.toMatchObject({
      code: "hubUnreachable",
      apiError: { cause: expect.stringContaining("loop") as string },
    });
    expect(requests).toBe(1);
  });

  it("stops after a bounded number of distinct pages", async () => {
    answer = (url) => ({ body: "[]", link: `<${url}&p=${requests}>; rel="next"` });
    requests = 0;
    await expect(hub.listFiles("org/name")).rejects.toMatchObject({ code: "hubUnreachable" });
    expect(requests).toBeLessThanOrEqual(100);
  });

  it("refuses an answer too large to be a listing without buffering it", async () => {
    answer = () => ({ body: `[${'"x",'.repeat(9_000_000)}"x"]` });
    await expect(hub.listFiles("org/name")).rejects.toMatchObject({
      code: "hubUnreachable",
      apiError: { cause: expect.stringContaining("too large") as string },
    });
  });
});
