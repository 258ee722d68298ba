// `npm start`: builds if needed, then opens the Electron window when its binary is installed, or
// else runs the headless station. It never downloads anything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const built = 'out/main/cli.js';
  const sources = Math.max(...['electron', 'renderer', 'shared'].map(newestMtime));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  process.stderr.write('Building…\n');
  const result = spawnSync('node_modules/.bin/electron-vite', ['build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The Electron binary's path, or null when `npm run desktop:install` has not fetched it. */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

buildIfNeeded();
const args = process.argv.slice(2);
const electron = electronBinary();
if (electron && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform !== 'linux')) {
  run(electron, ['.', ...args]);
} else {
  process.stderr.write(
    electron
      ? 'No display: starting the headless station instead of the desktop window.\n'
      : 'The Electron binary is not installed, so this is the headless station. For the desktop window run `npm run desktop:install` once.\n',
  );
  run(process.execPath, ['bin/commissioner.js', 'station', ...args]);
}
