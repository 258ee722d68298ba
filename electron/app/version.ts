declare const __APP_VERSION__: string | undefined;

/** The package version, baked in at build time (electron.vite.config.ts); sources run by tests read npm's. */
export function appVersion(): string {
  return typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : (process.env.npm_package_version ?? '0.0.0-dev');
}
