import { api, type SplitPlan, type splitPlanRequestSchema } from "@quantdeck/shared";
import type { z } from "zod";
import type { Context, Hono } from "hono";
import type { Boxes } from "../../boxes/Boxes.js";
import type { RpcWorker } from "../../boxes/RpcWorker.js";
import { AgentError } from "../../errors/AgentError.js";
import { Answer, serveRoute } from "../serveRoute.js";

type SplitPlanRequest = z.output<typeof splitPlanRequestSchema>;

/** Request headers a relayed request keeps; the browser's own credentials never travel on. */
const FORWARDED_REQUEST_HEADERS = ["content-type", "accept", "last-event-id"];
/** Response headers a relayed answer keeps (no cookies of the box's). */
const FORWARDED_RESPONSE_HEADERS = ["content-type", "cache-control", "content-disposition"];

export function boxRoutes(
  app: Hono,
  boxes: Boxes,
  worker: RpcWorker,
  planSplit: (request: SplitPlanRequest) => Promise<SplitPlan>,
) {
  serveRoute(app, api.boxes, async ({ query }) => {
    if (query.refresh === "true") await boxes.testAll();
    return { boxes: boxes.list() };
  });
  serveRoute(app, api.addBox, async ({ body }) => new Answer(await boxes.add(body), 201));
  serveRoute(app, api.updateBox, ({ params, body }) => boxes.update(params.name, body));
  serveRoute(app, api.deleteBox, ({ params }) => {
    boxes.remove(params.name);
    return { deleted: params.name };
  });
  serveRoute(app, api.testBox, ({ params }) => boxes.test(params.name));
  serveRoute(app, api.planSplit, ({ body }) => planSplit(body));

  // Everything a page asks of this agent, asked of a box instead: the browser still talks
  // only to its own origin, and the box's token is added here.
  app.all("/api/boxes/:name/relay/*", (c) => relay(c, boxes));

  serveRoute(app, api.rpcStatus, () => worker.status());
  serveRoute(app, api.probeRpc, () => worker.probeSink());
  serveRoute(app, api.startRpc, ({ body }) => worker.start(body.head));
  serveRoute(app, api.stopRpc, ({ body }) => worker.stop(body.head));
}

async function relay(c: Context, boxes: Boxes): Promise<Response> {
  const name = c.req.param("name") ?? "";
  const box = boxes.connection(name);
  const prefix = `/api/boxes/${encodeURIComponent(name)}/relay`;
  const url = new URL(c.req.url);
  const path = url.pathname.slice(prefix.length);
  // The agent's API only; and no relaying from a box on to another (no loops, no chains).
  if (!/^\/(api|v1)\/|^\/metrics$/.test(path) || path.startsWith("/api/boxes/"))
    throw new AgentError({
      code: "notFound",
      title: `Not relayed: ${path.slice(0, 200)}`,
      hint: "The relay reaches a box's /api, /v1 and /metrics routes.",
    });
  const headers = new Headers();
  for (const header of FORWARDED_REQUEST_HEADERS) {
    const value = c.req.header(header);
    if (value) headers.set(header, value);
  }
  if (box.token) headers.set("authorization", `Bearer ${box.token}`);
  const method = c.req.method;
  let upstream: Response;
  try {
    upstream = await fetch(new URL(path + url.search, box.url), {
      method,
      headers,
      body: method === "GET" || method === "HEAD" ? undefined : await c.req.arrayBuffer(),
      // A client that goes away stops the box's work too (a streamed answer, say).
      signal: c.req.raw.signal,
      redirect: "manual",
    });
  } catch {
    throw new AgentError({
      code: "boxUnreachable",
      title: `Box ${name} cannot be reached`,
      hint: "Is its agent running, and is the link up? Test it in Settings → Boxes.",
    });
  }
  if (upstream.status === 401)
    throw new AgentError({
      code: "boxUnauthorized",
      title: `Box ${name} refused this agent's token`,
      hint: "Update the box's token in Settings → Boxes (or quantdeck box add … --token).",
    });
  const answer = new Headers();
  for (const header of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(header);
    if (value) answer.set(header, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers: answer });
}
