// The browser end-to-end tests (npm run test:e2e): tests/e2e/**/*.e2e.ts,
// kept out of `npm test` (whose include is tests/**/*.test.ts).

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: false,
  },
});
