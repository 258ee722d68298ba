import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMqttCredentials } from '../../electron/protocol';
import { launchChromium, SCREENSHOT_DIR } from '../helpers/browser';
import type { CliProcess } from '../helpers/cli';
import { startUiStation, startWatchedSim, type liveCli } from '../helpers/live-station';
import { connect, request } from '../helpers/hub';
import { openUiPage } from '../helpers/ui-page';

let browser: Browser;
let station: CliProcess;
let data: string;
let url: string;
let ports: Record<string, number | string>;
const sims: CliProcess[] = [];

let cli: ReturnType<typeof liveCli>;

/** A virtual device whose link the station watches; stopped after the tests. */
async function startSim(name: string, args: string[] = []): Promise<string> {
  const { link, sim } = await startWatchedSim(data, name, args);
  sims.push(sim);
  return link;
}

beforeAll(async () => {
  ({ data, cli, station, url, ports } = await startUiStation());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([station?.stop('SIGKILL'), ...sims.map((sim) => sim.stop())]);
});

async function openDevice(deviceKey: string) {
  const opened = await openUiPage(browser, `${url}#/devices`);
  await opened.page.getByRole('searchbox', { name: 'Search' }).fill(deviceKey);
  await opened.page.getByRole('button', { name: 'Search' }).click();
  await opened.page.locator('[role=row]', { hasText: deviceKey }).click();
  await expect.poll(() => opened.page.getByTestId('device-detail').textContent()).toContain(`/${deviceKey}`);
  return opened;
}

describe('device detail and port diagnosis against a real station', () => {
  it('Devices: the detail shows the device’s live messages, sets measurepoints through a form from the thing model, and its sync state', async () => {
    const model = join(__dirname, '../../resources/models/environmental-sensor.json');
    const productKey = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Env sensor', '--auth', 'device-secret', '--model', model]).product.productKey;
    const created = cli<{ deviceSecret: string }>(['device', 'create', '--product', productKey, '--device-key', 'live1']);
    cli(['device', 'create', '--product', productKey, '--device-key', 'other1']);
    // A target that cannot be reached (nothing listens on loopback port 9): the device's change waits for it.
    cli(['sync', 'target', 'add', 'hub', '--name', 'central', '--url', 'http://127.0.0.1:9', '--token-env', 'CENTRAL_TOKEN_UNSET']);
    const login = (deviceKey: string, secret: string) => buildMqttCredentials({ productKey, deviceKey, secret, secureMode: 2, timestamp: String(Date.now()) });
    const client = await connect(`mqtt://127.0.0.1:${ports.mqtt}`, login('live1', created.deviceSecret));
    try {
      const setTopic = `/sys/${productKey}/live1/thing/service/measurepoint/set`;
      await client.subscribeAsync(setTopic, { qos: 1 });
      const received: unknown[] = [];
      client.on('message', (topic, payload) => {
        if (topic !== setTopic) return;
        const command = JSON.parse(payload.toString());
        received.push(command.params);
        client.publish(`${topic}_reply`, JSON.stringify({ id: command.id, code: 200, data: {} }));
      });
      const post = (temperature: number) => ({ id: String(temperature), version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { temperature }, time: Date.now() } });
      const postTopic = `/sys/${productKey}/live1/thing/measurepoint/post`;
      // Posted before the page opens: the hub's history for the device.
      await request(client, postTopic, post(20.5));

      const { page, errors } = await openDevice('live1');
      const messages = page.getByTestId('device-messages');
      await expect.poll(() => messages.textContent()).toContain('"temperature":20.5');
      // Posted while the detail is open: the live stream, filtered to this device.
      await request(client, postTopic, post(21.25));
      await expect.poll(() => messages.textContent()).toContain('"temperature":21.25');

      const form = page.getByTestId('set-form');
      const temperature = form.getByLabel('Temperature (FLOAT)');
      // Nothing filled in, then a value out of the model's range: refused in place, nothing sent.
      await form.getByRole('button', { name: 'Set', exact: true }).click();
      await expect.poll(() => form.textContent()).toContain('Fill in at least one measurepoint.');
      await temperature.fill('200');
      await form.getByRole('button', { name: 'Set', exact: true }).click();
      await expect.poll(() => temperature.getAttribute('aria-invalid')).toBe('true');
      expect(received).toEqual([]);
      await temperature.fill('22.5');
      await form.getByLabel('Battery low (BOOL)').selectOption('true');
      await form.getByRole('button', { name: 'Set', exact: true }).click();
      await expect.poll(() => form.getByTestId('set-outcome').textContent()).toMatch(/^Reply 200 after \d+ ms: {}$/);
      expect(received).toEqual([{ temperature: 22.5, batteryLow: true }]);

      const sync = page.getByTestId('device-sync');
      await expect.poll(() => sync.textContent()).toContain('central (hub)');
      expect(await sync.textContent()).not.toContain('nothing to send');
      expect(await page.getByTestId('device-detail').textContent()).toContain('No ledger entries');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'device-detail-live.png'), fullPage: true });

      // Another device's detail shows none of these messages.
      await page.getByRole('searchbox', { name: 'Search' }).fill('other1');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('[role=row]', { hasText: 'other1' }).click();
      await expect.poll(() => page.getByTestId('device-detail').textContent()).toContain('No messages from this device yet.');
      expect(await messages.locator('li').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await client.endAsync();
    }
  });

  it('Devices: a device provisioned from a virtual device shows its ledger entry; Ports shows its log lines by level', async () => {
    const productKey = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Sim meter', '--auth', 'device-secret', '--naming', 'M+serial']).product.productKey;
    const link = await startSim('led1', ['--heartbeat', '200']);
    const result = cli<{ outcome: string; deviceKey: string; ledgerSeq: number }>(['provision', '--port', link, '--product', productKey, '--operator', 'e2e-operator']);
    expect(result.outcome).toBe('provisioned');

    const { page, errors } = await openDevice(result.deviceKey);
    const ledger = page.getByTestId('device-ledger');
    await expect.poll(() => ledger.textContent()).toContain('e2e-operator');
    expect(await ledger.locator('tbody tr').count()).toBe(1);
    expect(await ledger.textContent()).toContain('provisioned');
    expect(await ledger.locator('tbody tr td').first().textContent()).toBe(String(result.ledgerSeq));
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'device-detail-ledger.png'), fullPage: true });

    await page.getByRole('link', { name: 'Ports' }).click();
    const row = page.locator('[data-testid=port-list] tr', { hasText: link });
    await row.getByRole('button', { name: 'Console' }).click();
    const log = page.getByTestId('device-log');
    await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain('alive');
    expect(await log.locator('li').first().textContent()).toContain(link);
    // The heartbeat logs at info: a warning filter hides it, debug shows it again.
    await page.getByLabel('Level at least').selectOption('warn');
    await expect.poll(() => log.locator('li', { hasText: 'alive' }).count()).toBe(0);
    await page.getByLabel('Level at least').selectOption('debug');
    await expect.poll(() => log.locator('li', { hasText: 'alive' }).count()).toBeGreaterThan(0);
    await page.getByLabel('Port', { exact: true }).selectOption(link);
    await expect.poll(() => log.locator('li', { hasText: 'alive' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'ports-diagnosis.png'), fullPage: true });
    await page.getByRole('button', { name: 'Close' }).click();
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
