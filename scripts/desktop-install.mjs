// `npm run desktop:install`: fetches Electron's binary once (its own install script is denied in
// allowScripts so `npm ci` works offline), then builds better-sqlite3 for Electron's ABI into
// native/electron/ — the Node build in node_modules stays for the CLI, the station and the tests.
// (@serialport/bindings-cpp is N-API, so its Node build loads in Electron as it is.)
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;

function step(name, command, args, options = {}) {
  process.stderr.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    process.stderr.write(`${name} failed. Check the network connection and run \`npm run desktop:install\` again.\n`);
    process.exit(result.status ?? 1);
  }
}

step(`download Electron ${electronVersion}`, process.execPath, [require.resolve('electron/install.js')]);

const work = resolve('native/.build');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const source = join(work, 'better-sqlite3');
cpSync(resolve('node_modules/better-sqlite3'), source, { recursive: true, filter: (path) => !path.includes(`${join('better-sqlite3', 'build')}`) });
step('build better-sqlite3 for Electron', process.execPath, [
  require.resolve('node-gyp/bin/node-gyp.js'),
  'rebuild',
  '--release',
  `--target=${electronVersion}`,
  '--dist-url=https://electronjs.org/headers',
  '--runtime=electron',
], { cwd: source });
mkdirSync(resolve('native/electron'), { recursive: true });
copyFileSync(join(source, 'build/Release/better_sqlite3.node'), resolve('native/electron/better_sqlite3.node'));
rmSync(work, { recursive: true, force: true });
process.stderr.write('\nDesktop ready: `npm start` opens the Commissioner window.\n');
