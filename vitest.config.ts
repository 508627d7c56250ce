import { defineConfig } from 'vitest/config';

// Tests start real processes (redis-server, the tug server, dockerd containers): give them time,
// and run files one by one so that two suites never fight over the same host resources.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
