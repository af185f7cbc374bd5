import type { HardwareInfo } from "@quantdeck/shared";
import type { Hono } from "hono";

export function hardwareRoutes(app: Hono, probe: () => Promise<HardwareInfo>) {
  app.get("/api/hardware", async (c) => c.json(await probe()));
}
