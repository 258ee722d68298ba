import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from '../helpers/browser';
import type { CliProcess } from '../helpers/cli';
import { startUiStation, startWatchedSim, type liveCli } from '../helpers/live-station';
import { openUiPage } from '../helpers/ui-page';

let browser: Browser;
let station: CliProcess;
let data: string;
let cli: ReturnType<typeof liveCli>;
let url: string;
let productKey: string;
const sims: CliProcess[] = [];


/** A virtual device whose link the station watches; stopped after the tests. */
async function startSim(name: string): Promise<string> {
  const { link, sim } = await startWatchedSim(data, name, ['--post-interval', '200']);
  sims.push(sim);
  return link;
}

beforeAll(async () => {
  ({ data, cli, station, url } = await startUiStation());
  productKey = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Sim meter', '--auth', 'device-secret', '--naming', 'M+serial']).product.productKey;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  // Sims get SIGTERM so they close their socat; stop() pulls any that do not end in time.
  await Promise.all([station?.stop('SIGKILL'), ...sims.map((sim) => sim.stop())]);
});

describe('provisioning screens against a real station and virtual devices', () => {
  it('Provision: the wizard checks its input, runs the pipeline step by step, shows the checks and the label', async () => {
    const link = await startSim('wiz1');
    const { page, errors } = await openUiPage(browser, `${url}#/provision`);
    await page.getByRole('button', { name: 'Provision' }).click();
    await expect.poll(() => page.getByLabel('Port').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Port').selectOption(link);
    await page.getByLabel('Product').selectOption(productKey);
    await page.getByRole('button', { name: 'Provision' }).click();
    const outcome = page.getByTestId('provision-outcome');
    await outcome.waitFor({ timeout: 60_000 });
    // On failure the message carries what the screen says: the failed step and its error.
    expect(await outcome.textContent(), (await page.getByTestId('provision-run').textContent()) ?? '').toBe('Provisioned');
    for (const step of ['identify', 'plan', 'credential', 'verify', 'commit', 'record']) {
      expect(await page.locator(`[data-step=${step}]`).getAttribute('data-status')).toMatch(/done|reused/);
    }
    await expect.poll(() => page.getByTestId('verify-checks').textContent()).toContain('passed');
    await expect.poll(() => page.getByTestId('identity-uri').textContent()).toContain('MWIZ1');
    expect(await page.locator('[data-testid=label] img').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'provision.png'), fullPage: true });
    // Its destination is this hub, where verification logged it in: provisioned, or already active.
    expect(['provisioned', 'active']).toContain(cli<{ state: string }>(['device', 'show', `${productKey}/MWIZ1`]).state);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('Station: a batch of 4 virtual devices fills the slot grid and the counters', async () => {
    const links = await Promise.all(['st1', 'st2', 'st3', 'st4'].map((name) => startSim(name)));
    const { page, errors } = await openUiPage(browser, `${url}#/station`);
    await page.getByLabel('Product').selectOption(productKey);
    await page.getByRole('button', { name: 'Run all slots' }).click();
    for (const link of links) {
      const slot = page.locator(`[data-testid=slot][data-port="${link}"]`);
      try {
        await expect.poll(() => slot.getAttribute('data-outcome'), { timeout: 90_000 }).toBe('provisioned');
      } catch (error) {
        // What the slot shows and what the station logged about its runs say why; the poll alone says only ''.
        const runs = readFileSync(join(data, 'logs', 'commissioner.log'), 'utf8').split('\n').filter((line) => /provision|slot|internal/i.test(line));
        throw new Error(`${String(error)}\nslot ${link}: ${await slot.textContent()}\nstation log:\n${runs.slice(-40).join('\n')}`, { cause: error });
      }
    }
    await expect.poll(() => page.locator('[data-testid=station-counters] [data-outcome=provisioned]').textContent()).toMatch(/^[4-9]$/);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'station.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);
});
