import { defineConfig } from 'vitest/config';

/**
 * Unit and integration tests run on the sources; e2e tests drive the built app (scripts/test.mjs
 * builds first). Servers bind 127.0.0.1 on port 0; waits use short injected timeouts.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    setupFiles: ['test/setup.ts'],
  },
});
