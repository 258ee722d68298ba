// `npm test`: system peers, build, typecheck, lint, then every test (unit, integration, e2e).
import { spawnSync } from 'node:child_process';
import { ensurePeers } from './peers.mjs';

function step(name, command, args) {
  process.stderr.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false });
  if (result.status !== 0) {
    process.stderr.write(`\n${name} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(result.status || 1);
  }
}

const missing = ensurePeers();
if (missing.length) process.exit(1);
const bin = (name) => `node_modules/.bin/${name}`;
step('build', bin('electron-vite'), ['build', '--logLevel', 'warn']);
step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
step('lint', bin('eslint'), ['.']);
step('tests', bin('vitest'), ['run', ...process.argv.slice(2)]);
