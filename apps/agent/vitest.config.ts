import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Integration tests start real agent processes: keep them one at a time on small machines.
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
