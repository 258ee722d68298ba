import Database from 'better-sqlite3';

let nativeBinding: string | undefined;

/**
 * better-sqlite3 is built for Node by `npm ci`; the desktop app, unpackaged, loads the
 * Electron-ABI build that `npm run desktop:install` made in a separate folder. One binary per
 * process, so this is set once at start-up by the Electron shell.
 */
export function useNativeBinding(path: string | undefined): void {
  nativeBinding = path;
}

export function openSqlite(path: string, options: Omit<Database.Options, 'nativeBinding'> = {}): Database.Database {
  return new Database(path, { ...options, nativeBinding });
}
