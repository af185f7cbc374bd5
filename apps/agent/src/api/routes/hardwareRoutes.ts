import { api, type HardwareInfo } from "@quantdeck/shared";
import type { Hono } from "hono";
import { serveRoute } from "../serveRoute.js";

export function hardwareRoutes(app: Hono, probe: () => Promise<HardwareInfo>) {
  serveRoute(app, api.hardware, () => probe());
}
