import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import pkg from './package.json' with { type: 'json' };

/**
 * One build for everything that ships: the Electron main process, plus the CLI and the headless
 * station as further entries of the same Node-side bundle (they share the services chunk), the
 * sandboxed preload (CommonJS, one file: a sandboxed preload cannot load modules), and the renderer.
 * The build goes to `out/`, or to `$COMMISSIONER_BUILD_OUT` (a private build for a parallel test run).
 */
const outRoot = resolve(process.env.COMMISSIONER_BUILD_OUT ?? 'out');

export default defineConfig({
  main: {
    define: { __APP_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: resolve(outRoot, 'main'),
      target: 'node20',
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          cli: resolve('electron/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(outRoot, 'preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: resolve(outRoot, 'renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve('renderer/index.html') },
    },
  },
});
