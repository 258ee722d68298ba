// `npm run bench [filter]`: builds, then runs every bench/*.bench.ts; JSON lines on stdout and in bench-results.jsonl.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const out = resolve('bench-results.jsonl');
rmSync(out, { force: true });
const build = spawnSync('node_modules/.bin/electron-vite', ['build', '--logLevel', 'warn'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync('node_modules/.bin/vitest', ['run', '--config', 'vitest.bench.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_OUT: out },
});
process.stderr.write(`\nbench results: ${out}\n`);
process.exit(run.status ?? 1);
