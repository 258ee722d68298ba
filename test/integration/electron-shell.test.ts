import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requests } from '../../shared/contract';
import { initDataDir, tempDir, cliEnv } from '../helpers/cli';

const outRoot = resolve(process.env.COMMISSIONER_BUILD_OUT ?? 'out');

/** The built main bundle, loaded by Node with `electron` resolved to test/fixtures/electron-stub. */
function runShell() {
  const data = initDataDir();
  const reportPath = join(tempDir(), 'report.json');
  const run = spawnSync(process.execPath, ['--import', resolve('test/fixtures/electron-stub/register.mjs'), join(outRoot, 'main/index.js'), '--data', data, '--mqtt-port', '0', '--mqtts-port', '0', '--wss-port', '0'], {
    env: cliEnv({ STUB_REPORT: reportPath, STUB_USER_DATA: tempDir(), STUB_CHANNELS: JSON.stringify([...requests.keys()]) }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (!existsSync(reportPath)) throw new Error(`no report; exit ${run.status}\n${run.stderr}`);
  const wraps = spawnSync('sqlite3', [join(data, 'commissioner.db'), 'SELECT method FROM vault_wraps ORDER BY method'], { encoding: 'utf8' }).stdout.trim().split('\n');
  return { ...JSON.parse(readFileSync(reportPath, 'utf8')), wraps };
}

describe('Electron shell (built main bundle, stubbed electron)', () => {
  const report = runShell();

  it('opens one window with a sandboxed, isolated renderer and no Node', () => {
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0].webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('points the preload at the built CommonJS preload and loads the built renderer', () => {
    const preload = report.windows[0].webPreferences.preload;
    expect(preload).toBe(join(outRoot, 'preload/index.cjs'));
    expect(existsSync(preload)).toBe(true);
    expect(report.loaded).toEqual([join(outRoot, 'renderer/index.html')]);
  });

  it('sends a strict CSP and denies permission requests', () => {
    expect(report.csp).toEqual([expect.stringContaining("default-src 'self'")]);
    expect(report.csp[0]).toContain("script-src 'self'");
    expect(report.csp[0]).not.toContain('unsafe-eval');
    expect(report.permissionGranted).toBe(false);
  });

  it('has an IPC handler for every contract request, and refuses foreign frames', () => {
    expect(report.ipcHandles).toEqual(['commissioner:call']);
    expect(report.ipcOn).toEqual(expect.arrayContaining(['commissioner:subscribe', 'commissioner:unsubscribe']));
    for (const channel of requests.keys()) {
      expect(report.calls[channel], channel).toBeDefined();
      expect(report.calls[channel], channel).not.toBe('UNKNOWN_CHANNEL');
    }
    expect(report.foreignCall).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('adds an OS-keystore wrap to a vault made headless with a passphrase', () => {
    expect(report.wraps).toEqual(['os-keystore', 'passphrase']);
  });

  it('drains and exits 0 on quit', () => {
    expect(report.exitCode).toBe(0);
  });
});
