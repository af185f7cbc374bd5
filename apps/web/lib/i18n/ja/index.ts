import { app } from "./app";
import { playground } from "./playground";
import { compare } from "./compare";
import { models } from "./models";
import { quality } from "./quality";
import { monitor } from "./monitor";
import { settings } from "./settings";
import type { en } from "../en";

/** 日本語: every key English has (the type enforces it, part by part), so no page is ever half-translated. */
export const ja: Record<keyof typeof en, string> = {
  ...app,
  ...playground,
  ...compare,
  ...models,
  ...quality,
  ...monitor,
  ...settings,
};
