#!/usr/bin/env node
// The installed command: runs the bundled CLI (built by `npm run build`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "quantdeck is not built yet.\n  Run `npm run build` in the Quantdeck folder.\n",
  );
  process.exit(1);
}
await import(entry.href);
