// Bundles the CLI into dist/cli.js.
import { bundleWorkspace } from "../../scripts/bundleWorkspace.mjs";

await bundleWorkspace(new URL("./", import.meta.url), { cli: "src/main.ts" });
