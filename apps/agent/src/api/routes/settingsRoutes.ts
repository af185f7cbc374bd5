import { api, type SettingsResponse } from "@quantdeck/shared";
import type { Hono } from "hono";
import { checkModelFolder } from "../../models/checkModelFolder.js";
import type { SettingsStore } from "../../store/SettingsStore.js";
import { AgentError } from "../../errors/AgentError.js";
import { serveRoute } from "../serveRoute.js";

export interface SettingsContext {
  store: SettingsStore;
  modelsDir: string;
  configuredModelDirs: string[];
  hubEndpoint: string;
  environmentHubToken: string | undefined;
}

export function settingsRoutes(app: Hono, context: SettingsContext) {
  const describe = (): SettingsResponse => {
    const settings = context.store.get();
    return {
      modelsDir: context.modelsDir,
      configuredModelDirs: context.configuredModelDirs,
      extraModelDirs: settings.extraModelDirs,
      hubEndpoint: context.hubEndpoint,
      hubTokenSet: settings.hubToken !== null || context.environmentHubToken !== undefined,
      hubTokenSource:
        settings.hubToken !== null
          ? "settings"
          : context.environmentHubToken
            ? "environment"
            : "none",
    };
  };

  serveRoute(app, api.settings, describe);

  serveRoute(app, api.updateSettings, async ({ body }) => {
    if (body.extraModelDirs) {
      for (const dir of body.extraModelDirs) {
        const problem = await checkModelFolder(dir);
        if (problem) {
          throw new AgentError({
            code: "badRequest",
            title: `Not a folder to find models in: ${dir.slice(0, 300)}`,
            hint: problem,
          });
        }
      }
    }
    context.store.update({
      ...(body.extraModelDirs && { extraModelDirs: [...new Set(body.extraModelDirs)] }),
      ...(body.hubToken !== undefined && { hubToken: body.hubToken }),
    });
    return describe();
  });
}
