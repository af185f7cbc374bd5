import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Model-loading tests run native code: one file at a time, in its own process.
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
