import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SCREENSHOT_DIR } from '../helpers/browser';
import { tempDir, type CliProcess } from '../helpers/cli';
import { startUiStation, type liveCli } from '../helpers/live-station';
import { openUiPage } from '../helpers/ui-page';

let browser: Browser;
let station: CliProcess;
let cli: ReturnType<typeof liveCli>;
let url: string;
let productKey: string;

interface TreeView {
  nodes: { id: string; name: string; parentId: string | null }[];
  placements: { nodeId: string; deviceKey: string }[];
}

const show = () => cli<TreeView>(['asset', 'show', '--tree', 'Plant']);
const nodeNamed = (view: TreeView, name: string) => view.nodes.find((node) => node.name === name)!;
const addNode = (name: string, parent?: string) => cli<{ id: string }>(['asset', 'node', 'add', '--tree', 'Plant', '--name', name, ...(parent ? ['--parent', parent] : [])]).id;

beforeAll(async () => {
  ({ cli, station, url } = await startUiStation());
  productKey = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Pump', '--auth', 'device-secret']).product.productKey;
  for (const deviceKey of ['pump-1', 'pump-2']) cli(['device', 'create', '--product', productKey, '--device-key', deviceKey, '--serial', `SN-${deviceKey}`]);
  cli(['asset', 'tree', 'create', 'Plant']);
  const site = addNode('Site');
  const hall = addNode('Hall A', site);
  addNode('Line 1', hall);
  addNode('Store');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await station?.stop('SIGKILL');
});

describe('asset tree screen against a real station', () => {
  it('moves nodes and placed devices by drag and drop; a move into its own branch is refused with the registry’s code', async () => {
    cli(['asset', 'place', '--device', `${productKey}/pump-1`, '--node', nodeNamed(show(), 'Line 1').id]);
    const { page, errors } = await openUiPage(browser, `${url}#/assets`);
    const tree = page.getByTestId('asset-tree');
    const item = (name: string) => tree.locator(`[role=treeitem][data-node="${name}"]`);
    const handle = (name: string) => item(name).getByRole('button', { name, exact: true }).first();
    await expect.poll(() => tree.textContent()).toContain(`${productKey}/pump-1`);

    // Line 1 (with its device) onto Store.
    await handle('Line 1').dragTo(handle('Store'));
    await expect.poll(() => nodeNamed(show(), 'Line 1').parentId).toBe(nodeNamed(show(), 'Store').id);
    await expect.poll(() => item('Store').locator('[data-node="Line 1"]').count()).toBe(1);

    // The placed device onto Hall A: placed there, no longer under Line 1.
    await tree.locator(`[data-device="${productKey}/pump-1"]`).dragTo(handle('Hall A'));
    await expect.poll(() => show().placements.map((placement) => [placement.deviceKey, placement.nodeId])).toEqual([['pump-1', nodeNamed(show(), 'Hall A').id]]);

    // Hall A onto the top level.
    await handle('Hall A').dragTo(page.getByTestId('asset-top-level'));
    await expect.poll(() => nodeNamed(show(), 'Hall A').parentId).toBeNull();

    // Store into its own child Line 1: the registry refuses, the screen shows its code, nothing moved.
    await handle('Store').dragTo(handle('Line 1'));
    await expect.poll(() => page.locator('[role=alert][data-code=ASSET_CYCLE]').count()).toBe(1);
    expect(nodeNamed(show(), 'Store').parentId).toBeNull();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'assets-drag.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('places a device by scanning its label’s QR content into the scan field, and searches the tree', async () => {
    const zpl = join(tempDir(), 'pump-2.zpl');
    cli(['label', `${productKey}/pump-2`, '--format', 'zpl', '--out', zpl]);
    const scanned = /enos-device:[^^]+/.exec(readFileSync(zpl, 'utf8'))![0];
    expect(scanned).toContain(`${productKey}/pump-2`);

    const { page, errors } = await openUiPage(browser, `${url}#/assets`);
    const tree = page.getByTestId('asset-tree');
    const scan = page.getByTestId('scan-to-place');
    const field = scan.getByLabel('Scan a label');
    // Nothing selected yet: the scan says what to do first.
    await field.click();
    await page.keyboard.type(scanned);
    await page.keyboard.press('Enter');
    await expect.poll(() => scan.textContent()).toContain('Select the node to place the device under first.');

    await tree.locator('[role=treeitem][data-node="Store"]').getByRole('button', { name: 'Store', exact: true }).click();
    await field.fill('');
    // Not a label (a URL scanned from somewhere else): refused in place, nothing placed.
    await page.keyboard.type('https://example.com/pump-2');
    await page.keyboard.press('Enter');
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    await field.fill('');
    // A USB scanner types the QR content, then Enter.
    await page.keyboard.type(scanned);
    await page.keyboard.press('Enter');
    await expect.poll(() => scan.locator('output').textContent()).toBe(`Placed ${productKey}/pump-2 under Store.`);
    await expect.poll(() => show().placements.find((placement) => placement.deviceKey === 'pump-2')?.nodeId).toBe(nodeNamed(show(), 'Store').id);
    expect(await field.inputValue()).toBe('');

    const search = page.getByLabel('Search the tree');
    await search.fill('pump-2');
    await expect.poll(() => tree.locator('[role=treeitem]').count()).toBe(1);
    expect(await tree.locator('[role=treeitem]').first().getAttribute('data-node')).toBe('Store');
    await search.fill('line');
    await expect.poll(() => tree.locator('[role=treeitem]').evaluateAll((items) => items.map((element) => element.getAttribute('data-node')))).toEqual(['Store', 'Line 1']);
    await search.fill('no such node');
    await expect.poll(() => tree.textContent()).toContain('No node or device matches.');
    await search.fill('');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'assets.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
