import catalog from "./catalog.json" with { type: "json" };
import prompts from "./prompts.json" with { type: "json" };

/**
 * The reference guide's data, kept as is (copied from the project's seed data): the test
 * prompts with their recommended settings, and the DeepSeek-V3-0324 quant catalog.
 */
export const seedPrompts = prompts;
export const seedCatalog = catalog;
