import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Tests start a real agent and run the built CLI against it: one file at a time.
    pool: "forks",
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
