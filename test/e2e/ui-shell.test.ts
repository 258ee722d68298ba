import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium, SCREENSHOT_DIR } from '../helpers/browser';
import { initDataDir, runCli, startCli, type CliProcess } from '../helpers/cli';
import { freePort, startTcpRelay, type TcpRelay } from '../helpers/tcp-relay';
import { inPage, openUiPage } from '../helpers/ui-page';

let browser: Browser;
let station: CliProcess;
let data: string;
let port: number;
let url: string;

async function startStation(): Promise<string> {
  station = startCli(['--data', data, 'station', '--port', String(port)]);
  return (await station.waitFor(/open (http:\/\/\S+)/))[1]!;
}

beforeAll(async () => {
  data = initDataDir();
  port = await freePort();
  url = await startStation();
  console.log(`station bound 127.0.0.1:${port}`);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await station?.stop('SIGKILL');
});

const openPage = (address = url, options: { colorScheme?: 'light' | 'dark' } = {}) => openUiPage(browser, address, options);
const focusedText = (page: Page) => inPage<string>(page, "document.activeElement?.textContent ?? ''");
const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

describe('the app shell in Chromium', () => {
  it('is usable by keyboard: skip link, visible focus, arrow keys in the navigation, focus moves to the opened screen', async () => {
    const { page, errors } = await openPage();
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await inPage<string>(page, 'document.activeElement?.id')).toBe('main');

    await page.focus('nav a[href="#/dashboard"]');
    const outline = await inPage<string>(page, 'getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');
    await page.keyboard.press('ArrowUp');
    expect(await focusedText(page)).toBe('Logs');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focusedText(page)).toBe('Ports');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowUp');
    expect(await focusedText(page)).toBe('Settings');
    await page.keyboard.press('Enter');
    await expect.poll(() => heading(page)).toBe('Settings');
    expect(await inPage<string>(page, 'document.activeElement?.id')).toBe('main');
    expect(page.url()).toContain('#/settings');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('follows prefers-color-scheme until the toggle makes a choice, which survives a reload', async () => {
    const { page, errors } = await openPage(url, { colorScheme: 'dark' });
    const theme = () => inPage<string>(page, 'document.documentElement.dataset.theme');
    await expect.poll(theme).toBe('dark');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-dark.png') });
    await page.getByTestId('theme-toggle').click();
    await expect.poll(theme).toBe('light');
    const background = await inPage<string>(page, 'getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(246, 247, 249)');
    await page.reload();
    await expect.poll(theme).toBe('light');
    expect(await inPage<string>(page, "localStorage.getItem('commissioner.theme')")).toBe('light');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Theme').selectOption('system');
    await expect.poll(theme).toBe('dark');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('switches the whole UI to Simplified Chinese and back, remembering the choice', async () => {
    const { page, errors } = await openPage(`${url}#/settings`);
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect.poll(() => heading(page)).toBe('设置');
    const nav = page.getByRole('navigation', { name: '主导航' });
    for (const label of ['仪表盘', '端口', '设备', '产品', '资产树', '证书', '同步', '日志']) {
      expect(await nav.getByRole('link', { name: label, exact: true }).count()).toBe(1);
    }
    expect(await inPage<string>(page, 'document.documentElement.lang')).toBe('zh-CN');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'settings-zh-CN.png') });
    await page.reload();
    await expect.poll(() => heading(page)).toBe('设置');
    await page.getByLabel('语言').selectOption('en');
    await expect.poll(() => heading(page)).toBe('Settings');
    expect(await inPage<string>(page, 'document.documentElement.lang')).toBe('en');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('validates a form with the contract schema before sending and shows the problem in place', async () => {
    const { page, errors } = await openPage(`${url}#/logs`);
    await page.getByLabel('Lines').fill('99999');
    await page.getByRole('button', { name: 'Apply' }).click();
    const limit = page.getByLabel('Lines');
    await expect.poll(() => limit.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-error').textContent()).toMatch(/5000/);
    await limit.fill('3');
    await page.getByLabel('Lowest level').selectOption('info');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.log-lines li').count()).toBeLessThanOrEqual(3);
    expect(await limit.getAttribute('aria-invalid')).toBeNull();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'logs.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows the dashboard with the station facts and a live chart', async () => {
    const { page, errors } = await openPage(`${url}#/dashboard`);
    await expect.poll(() => page.getByTestId('station-facts').textContent()).toContain('station');
    await page.locator('[data-testid=log-rate] canvas').waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('counts devices by state and product on the dashboard, updating live as the CLI creates them', async () => {
    const { page, errors } = await openPage(`${url}#/dashboard`);
    const total = page.getByTestId('dashboard-device-total');
    await expect.poll(() => total.textContent()).toMatch(/^\d+ devices$/);
    const before = Number((await total.textContent())!.split(' ')[0]);
    expect(await page.getByTestId('dashboard-success-rate').textContent()).toBe('No run has finished today');

    // Through the live station: its devices.changed events refresh the open page.
    const cli = <T,>(args: string[]) => runCli(['--data', data, '--json', ...args]).json<{ ok: true; value: T }>().value;
    const productKey = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Dash meter', '--auth', 'device-secret']).product.productKey;
    cli(['device', 'create', '--product', productKey, '--device-key', 'dash-1']);
    cli(['device', 'create', '--product', productKey, '--device-key', 'dash-2']);
    cli(['device', 'update', `${productKey}/dash-2`, '--state', 'active']);

    await expect.poll(() => total.textContent()).toBe(`${before + 2} devices`);
    const products = page.getByTestId('dashboard-device-products');
    await expect.poll(() => products.locator('tr', { hasText: productKey }).textContent()).toBe(`${productKey}2`);
    await expect.poll(() => page.getByTestId('dashboard-device-states').locator('tr', { hasText: 'active' }).textContent()).toMatch(/^active[1-9]\d*$/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-counts.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows "reconnecting" when the link drops, then recovers without a reload and events flow again', async () => {
    const relay: TcpRelay = await startTcpRelay(port);
    try {
      const token = new URL(url).searchParams.get('token')!;
      const { page, errors } = await openPage(`http://127.0.0.1:${relay.port}/?token=${token}#/logs`);
      await inPage(page, 'window.marker = 42');
      relay.cut();
      const connection = page.getByTestId('connection');
      await expect.poll(() => connection.getAttribute('data-state')).toBe('reconnecting');
      expect(await connection.textContent()).toBe('Connection lost: reconnecting…');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'reconnecting.png') });
      relay.restore();
      await expect.poll(() => connection.getAttribute('data-state'), { timeout: 15_000 }).toBe('open');
      // A refused socket makes the station log a warning, pushed to the re-subscribed Logs screen.
      const wrong = new WebSocket(`ws://127.0.0.1:${port}/bridge?token=wrong`);
      await new Promise((resolve) => wrong.on('close', resolve));
      await expect.poll(() => page.getByTestId('log-lines').textContent()).toContain('bridge connection refused');
      expect(await inPage<number>(page, 'window.marker')).toBe(42);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await relay.close();
    }
  });

  it('after the station is killed and restarted on the same port, says to open the new URL', async () => {
    const { page, errors } = await openPage(`${url}#/dashboard`);
    const connection = page.getByTestId('connection');
    await station.stop('SIGKILL');
    await expect.poll(() => connection.getAttribute('data-state')).toBe('reconnecting');
    const newUrl = await startStation();
    expect(newUrl).not.toBe(url);
    expect(new URL(newUrl).port).toBe(String(port));
    await expect.poll(() => connection.getAttribute('data-state'), { timeout: 15_000 }).toBe('unauthorized');
    expect(await connection.textContent()).toBe('The station restarted: open the new URL it printed.');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'station-restarted.png') });
    await page.goto(newUrl);
    await expect.poll(() => connection.getAttribute('data-state')).toBe('open');
    await expect.poll(() => page.getByTestId('station-facts').textContent()).toContain('station');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
