import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from '../helpers/browser';
import { buildMqttCredentials } from '../../electron/protocol';
import { runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';
import { connect, request } from '../helpers/hub';
import { startUiStation, type liveCli } from '../helpers/live-station';
import { openUiPage } from '../helpers/ui-page';

let browser: Browser;
let station: CliProcess;
let data: string;
let cli: ReturnType<typeof liveCli>;
let url: string;
let productKey: string;
let ports: Record<string, number | string>;
const DEVICES = 2500;

beforeAll(async () => {
  ({ data, cli, station, url, ports } = await startUiStation());
  productKey = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Meter', '--auth', 'device-secret']).product.productKey;
  const csv = join(tempDir(), 'devices.csv');
  const rows = Array.from({ length: DEVICES }, (_, index) => `dev${String(index).padStart(5, '0')},Meter ${index},SN${index}`);
  writeFileSync(csv, ['deviceKey,name,serial', ...rows].join('\n'));
  cli(['device', 'import', csv, '--product', productKey]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await station?.stop('SIGKILL');
});

describe('domain screens against a real station', () => {
  it('Devices: a virtualized table that fetches only the windows in view, searches, and shows a secret only on request', async () => {
    const { page, errors } = await openUiPage(browser, `${url}#/devices`);
    const count = page.getByTestId('device-count');
    // The whole result's size from the start: the scroller is as tall as every row.
    await expect.poll(() => count.textContent()).toBe(`${DEVICES} devices`);
    await expect.poll(() => page.locator('[role=row]', { hasText: 'dev00000' }).count()).toBe(1);
    // Only the rows in view are in the DOM.
    expect(await page.locator('[data-testid=device-scroller] [role=row]').count()).toBeLessThan(100);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'devices.png') });
    // A jump to the end fetches the rows there, not those in between.
    await page.getByTestId('device-scroller').evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await expect.poll(() => page.locator('[role=row]', { hasText: 'dev02499' }).count()).toBe(1);
    expect(Number(await page.getByTestId('device-table').getAttribute('data-loaded-rows'))).toBeLessThan(1000);
    expect(await page.locator('[role=row]', { hasText: 'dev01250' }).count()).toBe(0);

    await page.getByRole('searchbox', { name: 'Search' }).fill('dev0123');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => count.textContent()).toBe('10 devices');
    await page.getByRole('columnheader', { name: 'deviceKey' }).getByRole('button').click();
    await expect.poll(() => page.locator('[data-testid=device-scroller] [role=row]').first().textContent()).toContain('dev01239');

    await page.locator('[role=row]', { hasText: 'dev01234' }).click();
    const detail = page.getByTestId('device-detail');
    await expect.poll(() => detail.textContent()).toContain(`${productKey}/dev01234`);
    expect(await page.getByTestId('device-secret').textContent()).toBe('Reveal secret');
    // An imported device without a secret: the contract's code and message appear in place.
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await expect.poll(() => page.locator('[role=alert][data-code=NOT_FOUND]').textContent()).toContain('has no deviceSecret yet');
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => page.getByTestId('device-state').textContent()).toBe('disabled');
    expect(cli<{ state: string }>(['device', 'show', `${productKey}/dev01234`]).state).toBe('disabled');

    cli(['device', 'create', '--product', productKey, '--device-key', 'withsecret']);
    await expect.poll(() => page.getByRole('button', { name: 'Devices changed: reload' }).count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Search' }).fill('withsecret');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('[role=row]', { hasText: 'withsecret' }).click();
    await expect.poll(() => detail.textContent()).toContain(`${productKey}/withsecret`);
    expect(await page.getByTestId('device-secret').textContent()).toBe('Reveal secret');
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    const secret = runCli(['--data', data, 'device', 'secret', `${productKey}/withsecret`, '--reveal']).stdout;
    await expect.poll(() => page.getByTestId('device-secret').textContent()).toMatch(/^\S{8,}$/);
    expect(secret).toContain(await page.getByTestId('device-secret').textContent());
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'device-detail.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('Products: creates a product through a checked form, edits its thing model with inline validation, saves it', async () => {
    const { page, errors } = await openUiPage(browser, `${url}#/products`);
    const list = page.getByTestId('product-list');
    await expect.poll(() => list.textContent()).toContain(productKey);

    // The contract schema refuses an empty name before anything is sent.
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Name', { exact: true }).fill('Sensor');
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => list.locator('tbody tr').count()).toBe(2);

    const editor = page.getByTestId('product-detail');
    await editor.waitFor();
    await page.getByLabel('Identifier').fill('temp');
    await page.getByLabel('Data type').selectOption('DOUBLE');
    await page.getByRole('button', { name: 'Add feature' }).click();
    await expect.poll(() => editor.textContent()).toContain('temp');
    const json = page.getByLabel('Thing model (EnOS JSON)');
    await json.fill((await json.inputValue()).replace('"DOUBLE"', '"REAL"'));
    const violations = editor.getByTestId('model-violations').first();
    await expect.poll(() => violations.textContent()).toContain('$.measurepoints.temp');
    expect(await page.getByRole('button', { name: 'Save model' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'products-model-error.png') });

    await json.fill((await json.inputValue()).replace('"REAL"', '"DOUBLE"'));
    await page.getByRole('button', { name: 'Save model' }).click();
    await expect.poll(() => editor.getByRole('status').textContent()).toBe('Saved.');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'products.png') });
    const created = cli<{ productKey: string; name: string; thingModel: { measurepoints: Record<string, { dataType: string }> } }[]>(['product', 'list']).find((product) => product.name === 'Sensor')!;
    expect(created.thingModel.measurepoints.temp!.dataType).toBe('DOUBLE');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('Hub: listeners, the online session, the sampled live stream (pausable, filterable) and refusals by reason', async () => {
    const device = cli<{ device: { deviceKey: string }; deviceSecret: string }>(['device', 'create', '--product', productKey, '--device-key', 'hubdev']);
    const mqttUrl = `mqtt://127.0.0.1:${ports.mqtt}`;
    const login = (secret: string) => buildMqttCredentials({ productKey, deviceKey: 'hubdev', secret, secureMode: 2, timestamp: String(Date.now()) });
    await expect(connect(mqttUrl, login('wrong-secret-000000'))).rejects.toThrow();
    const client = await connect(mqttUrl, login(device.deviceSecret));
    try {
      const { page, errors } = await openUiPage(browser, `${url}#/hub`);
      await expect.poll(() => page.getByTestId('hub-listeners').textContent()).toContain(`:${ports.mqtt}`);
      await expect.poll(() => page.getByTestId('hub-sessions').textContent()).toContain(`${productKey}/hubdev`);
      await expect.poll(() => page.getByTestId('hub-refusals').textContent()).toMatch(/\d/);

      const post = (n: number) => ({ id: String(n), version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { temp: 20 + n }, time: Date.now() } });
      const topic = `/sys/${productKey}/hubdev/thing/measurepoint/post`;
      await request(client, topic, post(1));
      const stream = page.getByTestId('hub-messages');
      await expect.poll(() => stream.textContent()).toContain('"temp":21');

      await page.getByRole('button', { name: 'Pause' }).click();
      await request(client, topic, post(2));
      await expect.poll(() => page.getByText(/\d+ not shown/).textContent()).not.toMatch(/^0 /);
      expect(await stream.textContent()).not.toContain('"temp":22');
      await page.getByRole('button', { name: 'Resume' }).click();
      await request(client, topic, post(3));
      await expect.poll(() => stream.textContent()).toContain('"temp":23');
      await page.getByLabel('Filter').fill('nothing-matches');
      await expect.poll(() => stream.locator('li').count()).toBe(0);
      await page.getByLabel('Filter').fill('hubdev');
      await expect.poll(() => stream.locator('li').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'hub.png'), fullPage: true });

      await page.getByRole('link', { name: 'Dashboard' }).click();
      await expect.poll(() => page.getByTestId('dashboard-online').textContent()).toBe('1 devices online');
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await client.endAsync();
    }
  });

  it('Sync: shows targets, backlog and conflicts (none yet) and runs a sync on request', async () => {
    const { page, errors } = await openUiPage(browser, `${url}#/sync`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sync');
    await expect.poll(() => page.getByText('No open conflicts.').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'sync.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('Ports: a watched virtual device appears, is identified, and its serial console shows what it sends', async () => {
    const link = join(tempDir(), 'sim-ui');
    const sim = startCli(['--data', tempDir(), 'sim', '--pty', '--link', link, '--serial', 'SIMUI1', '--heartbeat', '200']);
    try {
      await sim.waitFor(/sim SIM-1 SIMUI1 .* on \S+/);
      const { page, errors } = await openUiPage(browser, `${url}#/ports`);
      await page.getByLabel('Pseudo-terminal paths or globs').fill('/nowhere/*');
      await page.getByLabel('Pseudo-terminal paths or globs').fill('');
      await page.getByRole('button', { name: 'Watch' }).click();
      await expect.poll(() => page.getByLabel('Pseudo-terminal paths or globs').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Pseudo-terminal paths or globs').fill(link);
      await page.getByRole('button', { name: 'Watch' }).click();
      const row = page.locator('[data-testid=port-list] tr', { hasText: link });
      await expect.poll(() => row.count()).toBe(1);
      await row.getByRole('button', { name: 'Identify' }).click();
      await expect.poll(() => row.textContent()).toContain('SIMUI1');
      await row.getByRole('button', { name: 'Console' }).click();
      const consoleView = page.getByTestId('serial-console');
      // The sim's heartbeat is a log.line frame: the text view shows it decoded, not as COBS bytes.
      await expect.poll(() => consoleView.locator('.xterm-rows').textContent(), { timeout: 15_000 }).toMatch(/ info \+\d+\.\d{3}s\] alive, state/);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'ports.png'), fullPage: true });
      await page.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => consoleView.count()).toBe(0);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await sim.stop();
    }
  });

  it('Certificates: creates the CA through a checked form, lists an issued certificate and revokes it', async () => {
    const certProduct = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Secure meter', '--auth', 'certificate']).product.productKey;
    cli(['device', 'create', '--product', certProduct, '--device-key', 'certdev']);
    const { page, errors } = await openUiPage(browser, `${url}#/certificates`);
    const name = page.getByLabel('CA name');
    await name.fill('');
    await page.getByRole('button', { name: 'Create CA' }).click();
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    await name.fill('Line 7 CA');
    await page.getByRole('button', { name: 'Create CA' }).click();
    await expect.poll(() => page.getByTestId('ca-list').textContent()).toContain('Line 7 CA');

    cli(['cert', 'issue', '--device', `${certProduct}/certdev`, '--generate-key', '--subject', 'C=DE,ST=Bavaria,L=Munich,O=Acme,OU=Meters']);
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('link', { name: 'Certificates' }).click();
    const row = page.locator('[data-testid=cert-list] tr', { hasText: 'certdev' });
    await expect.poll(() => row.textContent()).toContain('valid');
    await row.getByLabel('Reason').selectOption('keyCompromise');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'certificates.png'), fullPage: true });
    const listed = cli<{ deviceKey: string; status: string; revocationReason: string }[]>(['cert', 'list', '--device', `${certProduct}/certdev`]);
    expect(listed[0]).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('Devices: invokes a service through a form generated from the thing model and shows the device reply', async () => {
    const model = join(__dirname, '../../resources/models/environmental-sensor.json');
    const sensorProduct = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Env sensor', '--auth', 'device-secret', '--model', model]).product.productKey;
    const created = cli<{ deviceSecret: string }>(['device', 'create', '--product', sensorProduct, '--device-key', 'env1']);
    const login = buildMqttCredentials({ productKey: sensorProduct, deviceKey: 'env1', secret: created.deviceSecret, secureMode: 2, timestamp: String(Date.now()) });
    const client = await connect(`mqtt://127.0.0.1:${ports.mqtt}`, login);
    try {
      const serviceTopic = `/sys/${sensorProduct}/env1/thing/service/setReportInterval`;
      await client.subscribeAsync(serviceTopic, { qos: 1 });
      const received: unknown[] = [];
      client.on('message', (topic, payload) => {
        if (topic !== serviceTopic) return;
        const request = JSON.parse(payload.toString());
        received.push(request.params);
        client.publish(`${topic}_reply`, JSON.stringify({ id: request.id, code: 200, data: { applied: true } }));
      });
      const { page, errors } = await openUiPage(browser, `${url}#/devices`);
      await page.getByRole('searchbox', { name: 'Search' }).fill('env1');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.locator('[role=row]', { hasText: 'env1' }).click();
      const form = page.getByTestId('invoke-form');
      await form.waitFor();
      await form.getByLabel('Service').selectOption('setReportInterval');
      const seconds = form.getByLabel(/\(INT\)$/);
      await seconds.fill('2.5');
      await form.getByRole('button', { name: 'Invoke' }).click();
      await expect.poll(() => seconds.getAttribute('aria-invalid')).toBe('true');
      expect(received).toEqual([]);
      await seconds.fill('30');
      await form.getByRole('button', { name: 'Invoke' }).click();
      await expect.poll(() => form.getByTestId('invoke-outcome').textContent()).toMatch(/^Reply 200 after \d+ ms: {"applied":true}$/);
      expect(received).toEqual([{ seconds: 30 }]);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'device-invoke.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await client.endAsync();
    }
  });
});
