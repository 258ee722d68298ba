#!/usr/bin/env node
// Thin loader: the CLI is built by `npm ci` (the `prepare` script runs `electron-vite build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('commissioner is not built yet: run `npm run build` in the project folder.\n');
  process.exit(70);
}
const { main } = await import(entry);
await main(process.argv);
