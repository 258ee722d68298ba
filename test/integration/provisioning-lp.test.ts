import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportThingModel } from '../../shared/model/thing-model-json';
import { BUILT_IN_MODEL } from '../../electron/sim/telemetry';
import { cliEnv, runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';
import { cupsQueue } from '../helpers/provisioning';
import { startSimDevice } from '../helpers/sim';

const BAUD = '1000000';

/**
 * A label PDF with its two per-run fields blanked: pdfkit stamps each document with its creation
 * time and a document ID made from it. Same-length replacements keep every byte offset.
 */
const withoutRunStamp = (pdf: Buffer) =>
  pdf
    .toString('latin1')
    .replace(/\(D:\d{14}Z\)/g, (stamp) => stamp.replace(/\d/g, '0'))
    .replace(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/g, (id) => id.replace(/[0-9a-f](?=[0-9a-f]*>)/g, '0'));

describe('station --lp: each provisioned device\'s label PDF goes to the OS print queue (real CUPS)', () => {
  const dir = tempDir('commissioner-prov-lp-');
  const data = join(dir, 'data');
  let productKey = '';
  let cups: Awaited<ReturnType<typeof cupsQueue>>;
  const cli = (args: string[]) => runCli(['--data', data, ...args], { env: cliEnv(), timeoutMs: 120_000 });
  const ledgerOutcomes = (deviceKey: string) =>
    (JSON.parse(cli(['--json', 'ledger', 'export', '--format', 'json']).json<{ value: { text: string } }>().value.text) as Array<{ deviceKey: string; outcome: string }>).filter((entry) => entry.deviceKey === deviceKey).map((entry) => entry.outcome);

  /**
   * A station on the data folder with one slot and a device plugged there, printing with
   * `--lp ...printer`; lp reaches the private cupsd. `stop()` unplugs the device first (its
   * session at the station's hub then ends cleanly), then stops the station: both exit 0.
   */
  async function startStation(slot: string, printer: string[], env: NodeJS.ProcessEnv = {}): Promise<{ log: CliProcess; stop(): Promise<void> }> {
    const running = startCli(['--data', data, '--json', 'station', '--port', '0', '--mqtt-port', '0', '--mqtts-port', 'off', '--wss-port', 'off', '--slot', join(dir, slot), '--product', productKey, '--baud', BAUD, '--verify-timeout', '4000', ...printer], { env: cliEnv({ ...cups.env, ...env }) });
    await running.waitFor(/"listening"/, 60_000);
    const device = await startSimDevice(dir, slot, ['--baud', BAUD]);
    return {
      log: running,
      async stop() {
        const exits = [await device.stop(), await running.stop()];
        expect(exits).toEqual([0, 0]);
      },
    };
  }

  beforeAll(async () => {
    cups = await cupsQueue('labels');
    expect(cli(['init']).status).toBe(0);
    const model = join(dir, 'model.json');
    writeFileSync(model, JSON.stringify(exportThingModel(BUILT_IN_MODEL)));
    productKey = cli(['--json', 'product', 'create', '--name', 'Labelled meter', '--auth', 'device-secret', '--model', model, '--naming', 'L-+serial']).json<{ value: { product: { productKey: string } } }>().value.product.productKey;
  }, 120_000);

  afterAll(async () => {
    await cups?.stop();
  });

  it('--lp QUEUE: the label PDF of the device reaches the queue\'s device unchanged', async () => {
    const station = await startStation('lp1', ['--lp', 'labels']);
    try {
      const label = join(dir, 'label-lp1.pdf');
      await vi.waitFor(
        () => {
          expect(ledgerOutcomes('L-SN-lp1')).toEqual(['provisioned']);
          expect(existsSync(cups.output)).toBe(true);
        },
        { timeout: 60_000, interval: 250 },
      );
      expect(cli(['label', 'L-SN-lp1', '--format', 'pdf', '--out', label]).status).toBe(0);
      // The queue's device holds what lp was given: the label as `commissioner label` makes it.
      await vi.waitFor(() => expect(withoutRunStamp(readFileSync(cups.output))).toBe(withoutRunStamp(readFileSync(label))), { timeout: 10_000, interval: 100 });
      expect(execFileSync('pdfinfo', [cups.output], { encoding: 'utf8' })).toMatch(/Pages:\s+1\n[\s\S]*Page size:\s+144 x 72 pts/);
      expect(execFileSync('pdftotext', [cups.output, '-'], { encoding: 'utf8' })).toContain('L-SN-lp1');
    } finally {
      await station.stop();
    }
  }, 120_000);

  it('a queue CUPS does not have: PRINTER_FAILED with lp\'s reason in the station log, and the device is provisioned all the same', async () => {
    const printed = () => (existsSync(cups.output) ? readFileSync(cups.output).toString('base64') : null);
    const before = printed();
    const station = await startStation('lp2', ['--lp', 'no-such-queue']);
    try {
      const [, logged] = await station.log.waitFor(/label not printed (\{.*\})/, 60_000);
      expect(JSON.parse(logged!)).toMatchObject({ productKey, deviceKey: 'L-SN-lp2', code: 'PRINTER_FAILED', reason: expect.stringMatching(/^lp refused the label: lp: .*printer or class does not exist\.$/) });
      expect(ledgerOutcomes('L-SN-lp2')).toEqual(['provisioned']);
      expect(printed()).toBe(before);
    } finally {
      await station.stop();
    }
  }, 120_000);

  it('a station without lp (CUPS not installed): PRINTER_FAILED saying so in the station log, and the device is provisioned all the same', async () => {
    const station = await startStation('lp3', ['--lp'], { PATH: tempDir('commissioner-no-lp-') });
    try {
      const [, logged] = await station.log.waitFor(/label not printed (\{.*\})/, 60_000);
      expect(JSON.parse(logged!)).toMatchObject({ deviceKey: 'L-SN-lp3', code: 'PRINTER_FAILED', reason: expect.stringMatching(/^The print queue could not be used \(lp: spawn lp ENOENT\); install CUPS/) });
      expect(ledgerOutcomes('L-SN-lp3')).toEqual(['provisioned']);
    } finally {
      await station.stop();
    }
  }, 120_000);
});
