import { describe, expect, it } from 'vitest';
import { osPortLister, type DiscoveredPort } from '../../electron/serial/discovery';

const usb: DiscoveredPort = { path: '/dev/ttyUSB0', identity: 'usb:0403:6001:A1', kind: 'usb', source: 'os' };

/** An enumerator that counts its calls and answers what the test sets. */
function enumerator(answers: (DiscoveredPort[] | null)[]) {
  const calls = { count: 0 };
  return { calls, enumerate: async () => answers[Math.min(calls.count++, answers.length - 1)]! };
}

describe('OS port listing (the registry polls it every second)', () => {
  it('enumerates again only when the kernel\'s tty devices change', async () => {
    let signature = 'ttyS0:10';
    const { calls, enumerate } = enumerator([[], [usb]]);
    const list = osPortLister(enumerate, () => signature);
    expect(await list()).toEqual([]);
    expect(await list()).toEqual([]);
    expect(calls.count).toBe(1);
    signature = 'ttyS0:10,ttyUSB0:42';
    expect(await list()).toEqual([usb]);
    expect(calls.count).toBe(2);
  });

  it('tries a failed enumeration again 30 s later or when the tty devices change, not at every poll; without sysfs every time', async () => {
    const failing = enumerator([null, null, [usb]]);
    let signature = 'ttyS0:10';
    let clock = 0;
    const afterFailure = osPortLister(failing.enumerate, () => signature, () => clock);
    expect(await afterFailure()).toEqual([]);
    clock = 29_000;
    expect(await afterFailure()).toEqual([]);
    expect(failing.calls.count).toBe(1);
    clock = 30_000;
    expect(await afterFailure()).toEqual([]);
    expect(failing.calls.count).toBe(2);
    signature = 'ttyS0:10,ttyUSB0:42';
    expect(await afterFailure()).toEqual([usb]);
    clock = 1_000_000;
    expect(await afterFailure()).toEqual([usb]);
    expect(failing.calls.count).toBe(3);
    const noSysfs = enumerator([[usb]]);
    const elsewhere = osPortLister(noSysfs.enumerate, () => null);
    await elsewhere();
    await elsewhere();
    expect(noSysfs.calls.count).toBe(2);
  });
});
