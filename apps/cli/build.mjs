// Bundles the CLI into dist/cli.js. Workspace packages (TypeScript source) are inlined;
// npm dependencies stay external and load from node_modules at run time.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const external = Object.keys(pkg.dependencies ?? {}).filter(
  (name) => !name.startsWith("@quantdeck/"),
);

await build({
  entryPoints: { cli: "src/main.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  external,
  logLevel: "warning",
});
