import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, safeStorage, session, shell } from 'electron';
import { err, ok, type Result } from '../../shared/result';
import { initDataFolder } from '../core/init';
import { logUncaught } from '../core/logger';
import { startOwnerHost, type OwnerHost } from '../core/owner-host';
import { DEFAULT_HUB_PORTS, type HubConfig } from '../hub/module';
import { passphraseUnlock } from '../core/unlock';
import type { Unlock } from '../pki/vault';
import { useNativeBinding } from '../registry/sqlite';
import { registerIpc } from './ipc';
import { keystoreProtector } from './key-protector';
import { WINDOW_CSP, windowOptions } from './window';

/**
 * The Electron shell: thin by design. It hands the services what only Electron has (the
 * user-data path, safeStorage) and hosts the same owner as the station, minus the HTTP UI.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererIndex = join(here, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;

/** The value after `--name` on the command line (`commissioner-desktop --data DIR --mqtt-port 0`). */
function argValue(argv: readonly string[], name: string): string | undefined {
  const flag = argv.indexOf(name);
  return flag >= 0 ? argv[flag + 1] : undefined;
}

function dataDirFromArgs(argv: readonly string[]): string {
  return argValue(argv, '--data') ?? process.env.COMMISSIONER_DATA ?? app.getPath('userData');
}

/** The desktop app hosts the hub on EnOS's ports, like the station; a taken port is skipped and logged. */
function hubConfigFromArgs(argv: readonly string[]): HubConfig {
  const port = (name: string, fallback: number) => {
    const value = argValue(argv, name);
    if (value === 'off') return null;
    const parsed = Number(value);
    return value !== undefined && Number.isInteger(parsed) && parsed >= 0 && parsed <= 65535 ? parsed : fallback;
  };
  return {
    host: '127.0.0.1',
    mqttPort: port('--mqtt-port', DEFAULT_HUB_PORTS.mqtt),
    mqttsPort: port('--mqtts-port', DEFAULT_HUB_PORTS.mqtts),
    wssPort: port('--wss-port', DEFAULT_HUB_PORTS.wss),
    httpPort: null,
    httpsPort: null,
    coapPort: null,
    bestEffort: true,
  };
}

/** Unpackaged, better-sqlite3 must be the Electron-ABI build made by `npm run desktop:install`. */
function selectNativeBinding(): void {
  if (app.isPackaged) return;
  const candidate = join(app.getAppPath(), 'native', 'electron', 'better_sqlite3.node');
  useNativeBinding(existsSync(candidate) ? candidate : undefined);
}

async function keystoreUnlock(): Promise<Result<Unlock>> {
  const protector = keystoreProtector(safeStorage);
  return protector ? ok({ method: 'os-keystore', protector }) : err('VAULT_LOCKED');
}

async function desktopPassphraseUnlock(): Promise<Result<Unlock>> {
  const unlocked = await passphraseUnlock();
  return unlocked.ok ? unlocked : err('VAULT_LOCKED', 'The vault needs its passphrase here: set COMMISSIONER_PASSPHRASE.');
}

/**
 * The OS keystore when it is real; a passphrase otherwise, or when the vault was made headless
 * and has no keystore wrap yet — then the keystore wrap is added so the next start needs none.
 */
async function chooseUnlock(dataDir: string): Promise<Result<{ unlock: () => Promise<Result<Unlock>>; addKeystoreWrap: boolean }>> {
  const viaKeystore = await initDataFolder(dataDir, keystoreUnlock);
  if (viaKeystore.ok) return ok({ unlock: keystoreUnlock, addKeystoreWrap: false });
  if (viaKeystore.error.code !== 'VAULT_LOCKED') return viaKeystore;
  const viaPassphrase = await initDataFolder(dataDir, desktopPassphraseUnlock);
  if (!viaPassphrase.ok) return viaPassphrase;
  return ok({ unlock: desktopPassphraseUnlock, addKeystoreWrap: keystoreProtector(safeStorage) !== null });
}

function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [WINDOW_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(windowOptions(preloadPath));
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== rendererUrl) event.preventDefault();
  });
  window.once('ready-to-show', () => window.show());
  void window.loadFile(rendererIndex);
  return window;
}

export async function startDesktop(): Promise<OwnerHost | null> {
  const dataDir = dataDirFromArgs(process.argv);
  selectNativeBinding();
  const chosen = await chooseUnlock(dataDir);
  if (!chosen.ok) {
    process.stderr.write(`Commissioner cannot start: ${chosen.error.message}\n`);
    app.exit(1);
    return null;
  }
  const started = await startOwnerHost({
    services: {
      dataDir,
      host: 'desktop',
      logLevel: 'info',
      unlock: chosen.value.unlock,
      hub: hubConfigFromArgs(process.argv),
      versions: { electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
    },
    host: '127.0.0.1',
    port: 0,
  });
  if (!started.ok) {
    process.stderr.write(`Commissioner cannot start: ${started.error.message}\n`);
    app.exit(1);
    return null;
  }
  const owner = started.value;
  const vault = owner.services.context.vault();
  const protector = keystoreProtector(safeStorage);
  if (chosen.value.addKeystoreWrap && vault.ok && protector) vault.value.rewrap({ method: 'os-keystore', protector });
  logUncaught(owner.services.logger.child('main'), (code) => app.exit(code));
  hardenSession();
  let window: BrowserWindow | null = createWindow();
  window.on('closed', () => (window = null));
  registerIpc({
    ipcMain,
    dispatcher: owner.services.dispatcher,
    events: owner.services.events,
    isTrustedFrame: (url) => url === rendererUrl || url.startsWith(`${rendererUrl}#`),
    target: () => window?.webContents ?? null,
  });
  app.on('activate', () => {
    if (!window) window = createWindow();
  });
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    void owner.stop().finally(() => app.exit(0));
  });
  return owner;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(startDesktop);
}
