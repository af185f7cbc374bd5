// Bundles the agent into dist/.
import { copyFileSync, cpSync } from "node:fs";
import { bundleWorkspace } from "../../scripts/bundleWorkspace.mjs";

await bundleWorkspace(new URL("./", import.meta.url), {
  // The agent, and the engine process it forks (the only code that loads node-llama-cpp).
  main: "src/main.ts",
  engineWorker: "src/engines/nodeLlamaCpp/worker/engineWorker.ts",
  // The thread every download's transfers run in (src/downloads/DownloadThread.ts).
  downloadThread: "src/downloads/downloadThreadEntry.ts",
  // The thread a compare answer's code checks run in, with a time budget.
  analyzeAnswerThread: "src/compare/analyzeAnswerThread.ts",
});
// The script that runs inside the sandbox, found next to the bundle at run time.
copyFileSync(
  new URL("./src/compare/sandbox/insideSandbox.sh", import.meta.url),
  new URL("./dist/insideSandbox.sh", import.meta.url),
);
// The observer the sandboxed Python loads before the program.
copyFileSync(
  new URL("./src/compare/sandbox/observeProgram.py", import.meta.url),
  new URL("./dist/observeProgram.py", import.meta.url),
);
// The default evaluation text for quality runs and importance matrices.
copyFileSync(
  new URL("./src/quality/evaluationText/evaluation.txt", import.meta.url),
  new URL("./dist/evaluation.txt", import.meta.url),
);
// Quantdeck's patches to llama.cpp's tools, applied before each engine build.
cpSync(
  new URL("./src/engines/patches/", import.meta.url),
  new URL("./dist/engine-patches/", import.meta.url),
  {
    recursive: true,
  },
);
