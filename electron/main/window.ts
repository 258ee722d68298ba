import { UI_CSP } from '../bridge/server';

/**
 * The window's security settings (style guide: narrow sandboxed preload). Kept as data so the
 * shell test can assert them on the built bundle.
 */
export function windowOptions(preloadPath: string) {
  return {
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Commissioner',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  } as const;
}

/** The UI's CSP, sent as a response header on every load of the window. */
export const WINDOW_CSP = UI_CSP;
