import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { buildMqttCredentials } from '../electron/protocol';
import { launchChromium } from '../test/helpers/browser';
import { initDataDir, readPortsFile, runCli, startCli, tempDir } from '../test/helpers/cli';
import { connect } from '../test/helpers/hub';
import { openUiPage } from '../test/helpers/ui-page';
import { report, timeRatio } from './report';

/**
 * Issue 11 "Benchmark": in Chromium against a real station, the time to render and scroll a
 * 100k-device table, and frame times while the hub streams messages, against the 16.7 ms frame
 * budget of a 60 Hz display. The anchor is the same page's frame time while idle, measured in the
 * same run (what the browser gives an untouched page on this machine).
 *
 * A frame time is the interval between the timestamps requestAnimationFrame hands its callbacks
 * (the frame's begin time, aligned to the display's refresh): a frame that misses the budget shows
 * as an interval of two refreshes or more. Each case also reports the share of such dropped frames,
 * and the p95 of the intervals between the moments the callbacks ran (`callbackP95`), which adds
 * when each callback ran within its frame (it was this bench's frame time before).
 */
const DEVICES = 100_000;
const STREAM_RATE = 5000;
const STREAM_SECONDS = 5;
const BUDGET_MS = 16.7;
/** One refresh of a 60 Hz display; Chromium coarsens timestamps to 0.1 ms, so it reads 16.6–16.8. */
const REFRESH_MS = 1000 / 60;
const TARGET = `<= ${BUDGET_MS} ms (one 60 Hz refresh)`;

interface Frames {
  /** Intervals between requestAnimationFrame timestamps (ms). */
  frames: number[];
  /** Intervals between the moments the callbacks ran (ms). */
  callbacks: number[];
}

/** `frames` frame intervals while `during` runs in the page once per frame. */
async function frameTimes(page: Page, during: string, frames: number): Promise<Frames> {
  return page.evaluate(
    `new Promise((resolve) => {
      const stamps = [];
      const ran = [];
      const intervals = (times) => times.slice(1).map((time, i) => time - times[i]);
      const step = (stamp) => {
        stamps.push(stamp);
        ran.push(performance.now());
        ${during}
        if (stamps.length <= ${frames}) requestAnimationFrame(step);
        else resolve({ frames: intervals(stamps), callbacks: intervals(ran) });
      };
      requestAnimationFrame(step);
    })`,
  ) as Promise<Frames>;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
}

/**
 * The figures every frame case reports: p95 frame time (also in display refreshes), max, the share
 * of dropped frames (an interval of two refreshes or more) and the callback p95.
 */
function frameFigures(measured: Frames) {
  const p95 = percentile(measured.frames, 95);
  const dropped = measured.frames.filter((interval) => interval > 1.5 * REFRESH_MS).length;
  return { value: p95, refreshes: Math.round(p95 / REFRESH_MS), max: percentile(measured.frames, 100), droppedFrames: Number((dropped / measured.frames.length).toFixed(3)), callbackP95: percentile(measured.callbacks, 95) };
}

it('renders, scrolls and streams within the frame budget', async () => {
  const data = initDataDir();
  const cli = <T>(args: string[]) => {
    const run = runCli(['--data', data, '--json', ...args], { timeoutMs: 600_000 });
    const result = run.json<{ ok: boolean; value: T }>();
    if (!result.ok) throw new Error(`${args.join(' ')} failed: ${run.stdout} ${run.stderr}`);
    return result.value;
  };
  const productKey = cli<{ product: { productKey: string } }>(['product', 'create', '--name', 'Bench', '--auth', 'device-secret']).product.productKey;
  const csv = join(tempDir(), 'devices.csv');
  writeFileSync(csv, ['deviceKey,name,serial', ...Array.from({ length: DEVICES }, (_, i) => `d${String(i).padStart(6, '0')},Device ${i},SN${i}`)].join('\n'));
  cli(['device', 'import', csv, '--product', productKey]);
  // One more device streams telemetry in the hub part (the table then holds DEVICES + 1).
  const streamer = cli<{ device: { deviceKey: string }; deviceSecret: string }>(['device', 'create', '--product', productKey, '--device-key', 'streamer']);

  const portsFile = join(tempDir(), 'ports.json');
  const station = startCli(['--data', data, 'station', '--port', '0', '--ports-file', portsFile]);
  const url = (await station.waitFor(/open (http:\/\/\S+)/))[1]!;
  const ports = await readPortsFile(portsFile);
  const browser = await launchChromium();
  let client: MqttClient | undefined;
  try {
    const { page } = await openUiPage(browser, `${url}#/settings`);
    const idle = frameFigures(await frameTimes(page, '', 120));
    const anchor = idle.value;

    // First page of the table: from opening the screen to the first row on screen.
    const start = Date.now();
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.locator('[data-testid=device-scroller] [role=row]').first().waitFor();
    const firstRender = Date.now() - start;
    report({ bench: 'ui', case: 'devices-first-page-ms', value: firstRender, unit: 'ms' });

    // The table is as tall as all 100k rows at once; a jump to the end fetches only the window there.
    const count = page.getByTestId('device-count');
    const scroller = page.getByTestId('device-scroller');
    await expect.poll(() => count.textContent(), { timeout: 60_000 }).toBe(`${DEVICES + 1} devices`);
    const jumpStart = Date.now();
    await scroller.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await page.locator('[data-testid=device-scroller] [role=row]', { hasText: streamer.device.deviceKey }).waitFor();
    const loadedRows = Number(await page.getByTestId('device-table').getAttribute('data-loaded-rows'));
    report({ bench: 'ui', case: 'devices-jump-to-end-ms', value: Date.now() - jumpStart, unit: 'ms', loadedRows, rows: DEVICES + 1 });

    // Scrolling the full 100k list: 4 screens per frame from top to well down the list.
    await scroller.evaluate((element) => element.scrollTo(0, 0));
    const scrolling = frameFigures(await frameTimes(page, "document.querySelector('[data-testid=device-scroller]').scrollTop += 2400;", 300));
    // Rows still waiting for their window when the scroll stopped (placeholders in view).
    const pendingAtStop = await page.locator('[data-testid=device-scroller] [role=row][aria-busy=true]').count();
    report({ bench: 'ui', case: 'devices-scroll-frame-p95', ...scrolling, unit: 'ms', anchor: { name: 'idle-frame-p95', value: anchor }, ratio: timeRatio(scrolling.value, anchor), target: TARGET, rows: DEVICES, pendingAtStop });
    report({ bench: 'ui', case: 'idle-frame-p95', ...idle, unit: 'ms', target: TARGET });

    // The hub view while a device streams at 5k msg/s.
    await page.getByRole('link', { name: 'Hub' }).click();
    const login = buildMqttCredentials({ productKey, deviceKey: streamer.device.deviceKey, secret: streamer.deviceSecret, secureMode: 2, timestamp: String(Date.now()) });
    client = await connect(`mqtt://127.0.0.1:${ports.mqtt}`, login);
    const topic = `/sys/${productKey}/${streamer.device.deviceKey}/thing/measurepoint/post`;
    let sent = 0;
    let streaming = true;
    const stream = (async () => {
      const begin = Date.now();
      while (streaming) {
        const due = Math.floor(((Date.now() - begin) / 1000) * STREAM_RATE);
        for (; sent < due; sent += 1) client!.publish(topic, JSON.stringify({ id: String(sent), version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { temp: sent % 100 }, time: Date.now() } }));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const hubFrames = frameFigures(await frameTimes(page, '', STREAM_SECONDS * 60));
    // Responsiveness: a click on Pause must show its new state promptly while the stream runs.
    const clickStart = Date.now();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    const clickMs = Date.now() - clickStart;
    streaming = false;
    await stream;
    report({ bench: 'ui', case: 'hub-stream-frame-p95', ...hubFrames, unit: 'ms', anchor: { name: 'idle-frame-p95', value: anchor }, ratio: timeRatio(hubFrames.value, anchor), target: TARGET, sentPerSecond: STREAM_RATE, sent });
    report({ bench: 'ui', case: 'hub-stream-click-ms', value: clickMs, unit: 'ms' });
  } finally {
    await client?.endAsync();
    await browser.close();
    await station.stop('SIGKILL');
  }
});
