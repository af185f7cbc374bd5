import { app } from "./app";
import { playground } from "./playground";
import { compare } from "./compare";
import { models } from "./models";
import { quality } from "./quality";
import { monitor } from "./monitor";
import { settings } from "./settings";

/**
 * Every user-facing string of the dashboard in English, one file per part of it: the keys
 * every language must have.
 */
export const en = {
  ...app,
  ...playground,
  ...compare,
  ...models,
  ...quality,
  ...monitor,
  ...settings,
} as const;
