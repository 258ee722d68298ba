import { defineConfig } from 'vitest/config';

/**
 * `npm run bench`: each `bench/*.bench.ts` measures a case and its anchor in the same run and
 * prints JSON lines (bench/report.ts). They run one file at a time so cases do not share the cores.
 */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 10 * 60_000,
    setupFiles: ['test/setup.ts'],
    reporters: ['dot'],
  },
});
