import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import { err, ok, type Result } from '../../shared/result';

export const APP_NAME = 'Commissioner';

/** The OS user-data folder, the same one Electron's `app.getPath('userData')` gives the desktop app. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMMISSIONER_DATA) return env.COMMISSIONER_DATA;
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_NAME);
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
  }
}

export const dataPaths = (dataDir: string) => ({
  database: join(dataDir, 'commissioner.db'),
  lock: join(dataDir, 'owner.lock'),
  runFile: join(dataDir, 'run.json'),
  logFile: join(dataDir, 'logs', 'commissioner.log'),
});

/** Creates the folder (0700) if needed and proves it writable without touching existing files. */
export function ensureWritableDataDir(dataDir: string): Result<string> {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK);
    const probe = join(dataDir, `.write-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    return ok(dataDir);
  } catch (error) {
    return err('DATA_DIR_UNWRITABLE', `The data folder ${dataDir} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check its permissions or choose another with --data.`);
  }
}
