// Bundles the agent into dist/. Workspace packages (TypeScript source) are inlined;
// npm dependencies stay external and load from node_modules at run time.
import { copyFileSync, readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const external = Object.keys(pkg.dependencies ?? {}).filter(
  (name) => !name.startsWith("@quantdeck/"),
);

await build({
  // The agent, and the engine process it forks (the only code that loads node-llama-cpp).
  entryPoints: { main: "src/main.ts", engineWorker: "src/runtime/worker/engineWorker.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  external,
  logLevel: "warning",
});

// The script that runs inside the sandbox, found next to the bundle at run time.
copyFileSync("src/compare/sandbox/insideSandbox.sh", "dist/insideSandbox.sh");
