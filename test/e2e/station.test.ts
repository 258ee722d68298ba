import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from '../helpers/browser';
import { initDataDir, readPortsFile, runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';

let browser: Browser;
let station: CliProcess;
let data: string;
let ports: Record<string, number | string>;
let url: string;

beforeAll(async () => {
  data = initDataDir();
  const portsFile = join(tempDir(), 'ports.json');
  station = startCli(['--data', data, 'station', '--port', '0', '--ports-file', portsFile]);
  url = (await station.waitFor(/open (http:\/\/\S+)/))[1]!;
  ports = await readPortsFile(portsFile);
  console.log(`station bound 127.0.0.1:${ports.bridge}`);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await station?.stop('SIGKILL');
});

describe('headless station', () => {
  it('writes run.json (0600) and the ports file with the same flat keys', async () => {
    const run = await readPortsFile(join(data, 'run.json'));
    expect(run).toEqual(ports);
    expect(run).toMatchObject({ pid: station.child.pid, host: '127.0.0.1', bridge: expect.any(Number), token: expect.any(String) });
    expect(statSync(join(data, 'run.json')).mode & 0o777).toBe(0o600);
    expect(url).toBe(`http://127.0.0.1:${ports.bridge}/?token=${ports.token}`);
  });

  it('refuses the UI and the bridge without the token', async () => {
    const base = `http://127.0.0.1:${ports.bridge}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    const page = await browser.newPage();
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('Unauthorized');
    await page.close();
  });

  it('serves the shell with a CSP, and the Settings and Logs screens work through the contract', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const response = await page.goto(url);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const label of ['Dashboard', 'Ports', 'Provision', 'Station', 'Devices', 'Products', 'Asset tree', 'Hub', 'Certificates', 'Sync', 'Settings', 'Logs']) {
      await expect.poll(() => nav.getByRole('link', { name: label, exact: true }).count()).toBe(1);
    }
    await nav.getByRole('link', { name: 'Settings' }).click();
    await page.getByTestId('data-dir').waitFor();
    expect(await page.getByTestId('data-dir').textContent()).toBe(data);
    expect(await page.getByTestId('about').textContent()).toContain('station');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'settings.png') });

    await nav.getByRole('link', { name: 'Logs' }).click();
    await expect.poll(() => page.getByTestId('log-lines').textContent()).toContain('owner started');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'logs.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs other commands through the live owner, and refuses a second owner', () => {
    const info = runCli(['--data', data, '--json', 'info']);
    expect(info.json()).toMatchObject({ ok: true, value: { host: 'station', dataDir: data } });
    const second = runCli(['--data', data, '--json', 'station', '--port', '0']);
    expect(second.status).toBe(1);
    expect(second.json()).toMatchObject({ ok: false, error: { code: 'DATA_DIR_LOCKED' } });
  });

  it('drains and exits 0 on SIGTERM, removing run.json', async () => {
    const code = await station.stop('SIGTERM');
    expect(code).toBe(0);
    expect(() => statSync(join(data, 'run.json'))).toThrow();
  });
});
