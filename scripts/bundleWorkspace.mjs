// Bundles a workspace's entry points into its dist/ with esbuild. Workspace packages
// (TypeScript source) are inlined; npm dependencies stay external and load from
// node_modules at run time.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** `packageDir`: the workspace's folder as a file URL ending in "/". */
export async function bundleWorkspace(packageDir, entryPoints) {
  const pkg = JSON.parse(readFileSync(new URL("package.json", packageDir), "utf8"));
  const external = Object.keys(pkg.dependencies ?? {}).filter(
    (name) => !name.startsWith("@quantdeck/"),
  );
  await build({
    absWorkingDir: fileURLToPath(packageDir),
    entryPoints,
    outdir: "dist",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: true,
    external,
    logLevel: "warning",
  });
}
