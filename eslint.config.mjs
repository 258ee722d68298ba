import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'tls', 'dgram', 'stream', 'events', 'url', 'util', 'zlib', 'readline', 'worker_threads'];
const pattern = (group, message) => ({ group, message });

/**
 * Boundaries (developers' guide): shared/ imports nothing from node, DOM or electron; renderer/
 * imports only shared/ (and its UI packages); nothing imports renderer/; only electron/main and
 * electron/preload import electron.
 */
export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'native/**', 'node_modules/**', 'coverage/**', 'test-results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only electron/main and electron/preload import electron.' }], patterns: [pattern(['**/renderer/**', '../renderer/*'], 'Nothing imports renderer/.')] }],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'bench/**/*.mjs', 'test/**/*.mjs', '.ci/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', { patterns: [pattern(nodeBuiltins, 'shared/ is pure: no node modules.'), pattern(['electron', 'electron/*'], 'shared/ imports no electron.'), pattern(['**/electron/**', '../electron/*', '**/renderer/**'], 'shared/ imports only shared/.'), pattern(['react', 'react-dom', 'zustand', 'ws', 'better-sqlite3'], 'shared/ is pure.')] }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'process', 'Buffer', 'require', '__dirname'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [pattern(nodeBuiltins, 'renderer/ runs in a browser: no node modules.'), pattern(['electron', 'electron/*'], 'renderer/ imports no electron: use the api.'), pattern(['**/electron/**', '../../electron/*'], 'renderer/ imports only shared/.')] }],
    },
  },
  {
    // The renderer's framework-free logic (stores, forms, catalogs) has unit tests that import it.
    files: ['test/unit/renderer-*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only electron/main and electron/preload import electron.' }] }],
    },
  },
  {
    files: ['electron/main/**/*.ts', 'electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [pattern(['**/renderer/**'], 'Nothing imports renderer/.')] }],
    },
  },
);
