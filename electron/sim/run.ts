import { createHash } from 'node:crypto';
import { SerialPort } from 'serialport';
import { ok, type Result } from '../../shared/result';
import type { ThingModel } from '../../shared/model/thing-model';
import type { Endpoint } from '../serial/drivers/driver';
import { DeviceSession, testConnectivity, type ApplicationOptions } from './application';
import type { Faults } from './faults';
import { FramedFirmware, type Board, type HardwareProfile } from './firmware';
import { AtFirmware } from './at-firmware';
import { loadFlash, saveFlash, type Flash } from './flash';
import { createPtyPair } from './pty';
import { LineThrottle } from './throttle';
import { warmUp } from './warm-up';

export interface SimOptions {
  link?: string;
  model: string;
  serial: string;
  state?: string;
  protocol: 'framed' | 'at';
  baud: number;
  thingModel: ThingModel;
  faults: Faults;
  /** A periodic log line (0 = none), so a console has something to show. */
  heartbeatMs: number;
  postIntervalMs: number;
  /** The sim's own diagnostics (stderr in the CLI). */
  report(text: string): void;
}

export interface RunningSim {
  hostPath: string;
  /** Resolves when the sim ends: stopped, or unplugged by a fault. */
  ended: Promise<'stopped' | 'unplugged'>;
  stop(): Promise<void>;
}

export const SIM_FIRMWARE = '1.4.2';

/** A stable MAC per serial number (locally administered, 02:…), so identities repeat across runs. */
function macFor(serial: string): Buffer {
  return Buffer.concat([Buffer.from([0x02]), createHash('sha256').update(serial).digest().subarray(0, 5)]);
}

/**
 * One virtual device: a PTY pair from socat, the line emulated at `baud` in both directions, and
 * the firmware (framed protocol or AT profile) on the device side. Several can run at once.
 */
export async function startSim(options: SimOptions): Promise<Result<RunningSim>> {
  // The network stack and crypto are up before the device appears on its port, as on a booted board.
  await warmUp();
  const pair = await createPtyPair(options.link);
  if (!pair.ok) return pair;
  const ptys = pair.value;
  const { hostPath, devicePath, exited } = ptys;
  const port = new SerialPort({ path: devicePath, baudRate: options.baud, autoOpen: false });
  const opened = await new Promise<Error | null>((resolve) => port.open(resolve));
  if (opened) {
    ptys.close();
    return { ok: false, error: { code: 'SIM_FAILED', message: `The device side ${devicePath} could not be opened: ${opened.message}` } };
  }
  const flash: Flash = loadFlash(options.state);
  let session: DeviceSession | null = null;
  let unplugged = false;
  const toHost = new LineThrottle(options.baud, (bytes) => port.writable && port.write(bytes));
  const appOptions = (log: ApplicationOptions['log']): ApplicationOptions => ({
    model: options.thingModel,
    firmware: SIM_FIRMWARE,
    postIntervalMs: options.postIntervalMs,
    log,
    save: () => saveFlash(options.state, flash),
  });
  let endSim: (how: 'stopped' | 'unplugged') => void = () => undefined;
  const ended = new Promise<'stopped' | 'unplugged'>((resolve) => (endSim = resolve));

  const board: Board = {
    send: (bytes) => toHost.push(bytes),
    resetLine: () => toHost.clear(),
    unplug: () => {
      unplugged = true;
      options.report('fault: unplugging (closing the pseudo-terminal)');
      toHost.clear();
      ptys.close();
    },
    startApplication: (current) => {
      const endpoint = current.config.endpoints.find((candidate) => candidate.protocol === 'mqtt');
      if (!endpoint || session) return;
      session = new DeviceSession(current, endpoint, appOptions(log));
      void session.connect().then((login) => {
        if ('error' in login) log('warn', login.error);
        else session?.startPosting();
      });
    },
    stopApplication: () => {
      void session?.stop();
      session = null;
    },
    connectivityTest: (current, endpoint: Endpoint, samples, timeoutMs) => testConnectivity(current, endpoint, samples, timeoutMs, appOptions(log)),
  };
  const hardware: HardwareProfile = { model: options.model, serial: options.serial, mac: macFor(options.serial), firmware: SIM_FIRMWARE, maxFrame: 2048, storageBytes: 4 * 1024 * 1024 };
  const firmware = options.protocol === 'framed' ? new FramedFirmware(hardware, flash, options.state, options.faults, board) : new AtFirmware(hardware, flash, options.state, board);
  function log(level: 'info' | 'warn' | 'error', text: string): void {
    firmware.log(level, text);
  }
  const fromHost = new LineThrottle(options.baud, (bytes) => firmware.receive(bytes));
  port.on('data', (bytes: Buffer) => fromHost.push(bytes));
  port.on('error', () => undefined); // the PTY closing under us is how an unplug looks
  firmware.boot();
  const heartbeat = options.heartbeatMs > 0 ? setInterval(() => log('info', `alive, state ${flash.state}`), options.heartbeatMs) : null;

  let stopping = false;
  async function shutdown(how: 'stopped' | 'unplugged'): Promise<void> {
    if (stopping) return;
    stopping = true;
    if (heartbeat) clearInterval(heartbeat);
    toHost.clear();
    fromHost.clear();
    await session?.stop();
    if (port.isOpen) await new Promise((resolve) => port.close(resolve));
    ptys.close();
    await exited;
    endSim(how);
  }
  void exited.then(() => shutdown(unplugged ? 'unplugged' : 'stopped'));
  return ok({ hostPath, ended, stop: () => shutdown('stopped') });
}
