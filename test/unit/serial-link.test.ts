import { describe, expect, it } from 'vitest';
import { err, ok, type Result } from '../../shared/result';
import type { ByteChannel } from '../../electron/serial/channel';
import { inOrder } from '../../electron/serial/drivers/driver';
import { FramedDriver } from '../../electron/serial/drivers/framed';
import { Link } from '../../electron/serial/link';
import { decodeFrame, encodeFrame, type Frame } from '../../electron/serial/protocol/frame';
import type { Body } from '../../electron/serial/protocol/tlv';

/** A channel whose "device" is a function of each request frame the host writes. */
function channelTo(device: (request: Frame, reply: (bytes: Buffer) => void) => void): { channel: ByteChannel } {
  const listeners: ((bytes: Buffer) => void)[] = [];
  const deliver = (bytes: Buffer) => listeners.forEach((listener) => listener(bytes));
  const channel: ByteChannel = {
    path: '/dev/ttyTEST',
    closed: null,
    write: async (bytes) => {
      const decoded = decodeFrame(bytes.subarray(0, bytes.length - 1), 4096);
      if (decoded.ok) device(decoded.frame, deliver);
    },
    onData: (listener) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    onClose: () => () => undefined,
  };
  return { channel };
}

const bootLog = encodeFrame({ version: 1, type: 'event', seq: 1, command: 'log.line', status: 'ok', body: { logLevel: 3, uptimeMs: 1, text: 'boot: SIM-1 firmware 1.4.2' } });
const answer = (request: Frame): Buffer => encodeFrame({ ...request, type: 'response', body: { version: 1 } });
const options = { timeoutMs: 20, attempts: 2, baud: 115200 };

describe('link synchronisation on a port opened mid-frame (spec §2)', () => {
  it('a silent device whose boot line was cut by the open is "no answer", not "corrupt frames"', async () => {
    // The cut line arrives while the first request is on its way, as on a real PTY.
    let cut = false;
    const { channel } = channelTo((_request, reply) => {
      if (!cut) reply(bootLog.subarray(bootLog.length - 12));
      cut = true;
    });
    const link = new Link(channel, options);
    const result = await link.exchange('hello', { version: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'SERIAL_NO_ANSWER' } });
  });

  it('still names corrupt answers once in sync', async () => {
    let cut = false;
    const { channel } = channelTo((request, reply) => {
      if (!cut) reply(bootLog.subarray(bootLog.length - 12));
      cut = true;
      const bytes = Buffer.from(answer(request));
      bytes[3] = bytes[3]! ^ 0x10;
      reply(bytes);
    });
    const link = new Link(channel, options);
    const result = await link.exchange('hello', { version: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'SERIAL_CORRUPT_FRAMES' } });
  });

  it('takes a whole first frame as it is: an open on a frame boundary loses nothing', async () => {
    const { channel } = channelTo((request, reply) => reply(answer(request)));
    const link = new Link(channel, options);
    const result = await link.exchange('hello', { version: 1 });
    expect(result).toMatchObject({ ok: true, value: { type: 'response', command: 'hello' } });
  });
});

describe('framed driver sessions (spec §3.1)', () => {
  it('reboots within the current session and opens a new one for the next command', async () => {
    const commands: string[] = [];
    const { channel } = channelTo((request, reply) => {
      commands.push(request.command);
      const body: Body = request.command === 'hello' ? { version: 1, maxFrame: 2048 } : request.command === 'identify' ? { model: 'SIM-1', serial: 'S1' } : {};
      reply(encodeFrame({ ...request, type: 'response', body }));
    });
    const driver = new FramedDriver(new Link(channel, options));
    expect((await driver.identify()).ok).toBe(true);
    expect((await driver.reboot()).ok).toBe(true);
    expect((await driver.identify()).ok).toBe(true);
    expect(commands).toEqual(['hello', 'identify', 'reboot', 'hello', 'identify']);
  });
});

describe('pipelined requests (spec §3.4)', () => {
  /** A device that holds its answers until `release()`; it records what arrived before any answer left. */
  function heldDevice(status: (request: Frame) => Frame['status'] = () => 'ok') {
    const arrived: string[] = [];
    const held: (() => void)[] = [];
    const { channel } = channelTo((request, reply) => {
      const body: Body = request.command === 'hello' ? { version: 1, maxFrame: 2048 } : request.command === 'hashes.read' ? { hash: [] } : {};
      const send = () => reply(encodeFrame({ ...request, type: 'response', status: status(request), body }));
      arrived.push(request.command);
      if (request.command === 'hello') return send();
      held.push(send);
      if (held.length === 2) held.splice(0).forEach((answer) => answer());
    });
    return { driver: new FramedDriver(new Link(channel, options)), arrived };
  }

  it('sends the second request before the first is answered, after one shared handshake, and takes the answers in order', async () => {
    const { driver, arrived } = heldDevice();
    const result = await inOrder(driver, () => driver.writeSecret('deviceSecret', 'S3cret'), () => driver.readHashes());
    expect(result).toEqual({ ok: true, value: [undefined, {}] });
    expect(arrived).toEqual(['hello', 'secret.write', 'hashes.read']);
  });

  it('a read-only request at the start of a session goes out right behind the hello', async () => {
    const arrived: string[] = [];
    const held: (() => void)[] = [];
    const { channel } = channelTo((request, reply) => {
      arrived.push(request.command);
      const body: Body = request.command === 'hello' ? { version: 1, maxFrame: 2048 } : { model: 'SIM-1', serial: 'S1' };
      held.push(() => reply(encodeFrame({ ...request, type: 'response', body })));
      if (held.length === 2) held.splice(0).forEach((answer) => answer());
    });
    const driver = new FramedDriver(new Link(channel, options));
    expect(await driver.identify()).toMatchObject({ ok: true, value: { model: 'SIM-1', serial: 'S1' } });
    expect(arrived).toEqual(['hello', 'identify']);
  });

  it('a failure of the first request is the result', async () => {
    const { driver } = heldDevice((request) => (request.command === 'secret.write' ? 'refused' : 'ok'));
    const result = await inOrder(driver, () => driver.writeSecret('deviceSecret', 'S3cret'), () => driver.readHashes());
    expect(result).toMatchObject({ ok: false, error: { code: 'DEVICE_REFUSED' } });
  });

  it('a driver that does not pipeline runs the second only after the first succeeded', async () => {
    const started: string[] = [];
    const step = (name: string, outcome: Result<string>) => async () => {
      started.push(name);
      await new Promise((resolve) => setTimeout(resolve, 1));
      started.push(`${name} answered`);
      return outcome;
    };
    expect(await inOrder({ pipelines: false }, step('first', ok('a')), step('second', ok('b')))).toEqual({ ok: true, value: ['a', 'b'] });
    expect(started).toEqual(['first', 'first answered', 'second', 'second answered']);
    started.length = 0;
    expect(await inOrder({ pipelines: false }, step('first', err('DEVICE_ERROR', 'no')), step('second', ok('b')))).toMatchObject({ ok: false, error: { code: 'DEVICE_ERROR' } });
    expect(started).toEqual(['first', 'first answered']);
  });
});
