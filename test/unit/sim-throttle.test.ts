import { describe, expect, it } from 'vitest';
import { LineThrottle } from '../../electron/sim/throttle';

const BAUD = 115_200; // 11.52 bytes per ms

/** A line on a clock the test sets; resolves with the size of its first write. */
function lineOn(clock: { now: number }) {
  const delivered: number[] = [];
  let first: (size: number) => void = () => undefined;
  const firstWrite = new Promise<number>((resolve) => (first = resolve));
  const line = new LineThrottle(BAUD, (bytes) => {
    delivered.push(bytes.length);
    first(bytes.length);
  }, () => clock.now);
  return { line, delivered, firstWrite };
}

describe('emulated serial line (sim)', () => {
  it('a timer that fires when the first 64-byte slice is due hands over that slice alone', async () => {
    const clock = { now: 0 };
    const { line, firstWrite } = lineOn(clock);
    line.push(Buffer.alloc(200));
    clock.now = 70 / 11.52; // the first slice and 6 bytes of the second have crossed
    expect(await firstWrite).toBe(64);
    line.clear();
  });

  it('a late timer hands over every slice the line has carried by then in one write, and no byte more', async () => {
    const clock = { now: 0 };
    const { line, firstWrite } = lineOn(clock);
    line.push(Buffer.alloc(200));
    clock.now = 130 / 11.52; // two slices and two bytes of the third have crossed
    expect(await firstWrite).toBe(128);
    line.clear();
  });

  it('all of it at once when the whole write has crossed', async () => {
    const clock = { now: 0 };
    const { line, firstWrite, delivered } = lineOn(clock);
    line.push(Buffer.alloc(200));
    clock.now = 1000;
    expect(await firstWrite).toBe(200);
    expect(delivered).toEqual([200]);
  });
});
