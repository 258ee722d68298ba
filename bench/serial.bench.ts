import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, it } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from '../electron/serial/protocol/frame';
import { tempDir } from '../test/helpers/cli';
import { framedDriver, startSimDevice, testRegistry, type SimDevice } from '../test/helpers/sim';
import { rateRatio, report } from './report';

const sims: SimDevice[] = [];
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.stop()));
});

/** A firmware transfer (spec §6.5) over a sim whose line runs at `baud`; the anchor is the line's own limit, baud ÷ 10 bytes/s (8N1). */
async function transferCase(baud: number, bytes: number): Promise<void> {
  const sim = await startSimDevice(tempDir('commissioner-bench-serial-'), `b${baud}`, ['--baud', String(baud)]);
  sims.push(sim);
  const registry = testRegistry();
  const channel = await registry.acquire(sim.path, 'pipeline', { baud });
  if (!channel.ok) throw new Error(channel.error.message);
  const driver = framedDriver(channel.value);
  const image = randomBytes(bytes);
  if (!(await driver.identify()).ok) throw new Error('identify failed');
  const started = performance.now();
  const written = await driver.writeFirmware(image);
  const seconds = (performance.now() - started) / 1000;
  if (!written.ok) throw new Error(written.error.message);
  driver.close();
  await registry.stop();
  const value = Math.round(bytes / seconds);
  const line = baud / 10;
  report({ bench: 'serial', case: `chunked transfer at ${baud} baud`, value, unit: 'bytes/s', anchor: { name: 'line rate baud/10', value: line }, ratio: rateRatio(value, line), target: '>= 0.9', bytes });
}

it('chunked transfer at 115200 baud', () => transferCase(115_200, 96 * 1024), 120_000);
it('chunked transfer at 921600 baud', () => transferCase(921_600, 512 * 1024), 120_000);

it('codec frames/s', () => {
  const frame: Frame = { version: 1, type: 'request', seq: 7, command: 'transfer.chunk', status: 'ok', body: { target: 3, offset: 4096, data: randomBytes(2024) } };
  const wire = encodeFrame(frame);
  const deadline = performance.now() + 1000;
  let frames = 0;
  while (performance.now() < deadline) {
    const decoded = decodeFrame(encodeFrame(frame).subarray(0, -1), 4096);
    if (!decoded.ok) throw new Error('codec');
    frames++;
  }
  // Anchor: CRC-32 alone over the same bytes, the floor of any framing of them.
  const anchorDeadline = performance.now() + 1000;
  let crcs = 0;
  while (performance.now() < anchorDeadline) {
    crc32(wire);
    crcs++;
  }
  report({ bench: 'serial', case: 'codec encode+decode of a 2 KiB chunk frame', value: frames, unit: 'frames/s', anchor: { name: 'crc32 of the same bytes', value: crcs }, ratio: rateRatio(frames, crcs) });
});
