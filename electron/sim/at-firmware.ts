import type { Board, HardwareProfile } from './firmware';
import { saveFlash, type Flash } from './flash';

/** ESP-AT answers a command line with response lines, a blank line and OK or ERROR. */
const OK = '\r\nOK\r\n';
const ERROR = '\r\nERROR\r\n';
const RESTART_MS = 200;
/** Namespaces AT+RESTORE leaves alone: the factory data of the module itself. */
const FACTORY_NAMESPACES = new Set(['factory_param']);

/**
 * The ESP-AT personality of the sim: the subset of ESP-AT the shipped profile uses (AT, ATE0/1,
 * AT+GMR, AT+CIPSTAMAC?, AT+SYSMFG erase/read/write with the `>` prompt for strings and blobs,
 * AT+RST, AT+RESTORE), answering as the ESP-AT manual's examples show. Echo is on after boot,
 * as on a real module.
 */
export class AtFirmware {
  private line = '';
  private echo = true;
  private pendingWrite: { namespace: string; key: string; type: number; length: number; received: Buffer[]; size: number } | null = null;
  private asleepUntil = 0;
  /** The LF of a command's CR LF is not the first data byte after a `>` prompt. */
  private swallowLf = false;

  constructor(
    private readonly hardware: HardwareProfile,
    private readonly flash: Flash,
    private readonly statePath: string | undefined,
    private readonly board: Board,
  ) {
    this.flash.mfg.factory_param ??= {};
    this.flash.mfg.factory_param.module_name ??= { type: 7, base64: Buffer.from(hardware.model).toString('base64') };
    this.flash.mfg.enos ??= {};
    this.flash.mfg.enos.serial ??= { type: 7, base64: Buffer.from(hardware.serial).toString('base64') };
  }

  boot(): void {
    this.board.send(Buffer.from('\r\nready\r\n'));
  }

  /** A module has no framed log stream; its log goes nowhere on the AT port. */
  log(): void {}

  receive(bytes: Buffer): void {
    if (performance.now() < this.asleepUntil) return;
    let at = 0;
    while (at < bytes.length) {
      if (this.swallowLf && bytes[at] === 0x0a) at++;
      this.swallowLf = false;
      if (at >= bytes.length) break;
      if (this.pendingWrite) {
        const write = this.pendingWrite;
        const take = bytes.subarray(at, at + (write.length - write.size));
        write.received.push(take);
        write.size += take.length;
        at += take.length;
        if (write.size === write.length) this.finishWrite(write);
        continue;
      }
      const char = String.fromCharCode(bytes[at++]!);
      if (char === '\n') continue;
      if (char !== '\r') {
        this.line += char;
        continue;
      }
      const command = this.line.trim();
      this.line = '';
      this.swallowLf = true;
      if (command) this.execute(command);
    }
  }

  private send(text: string): void {
    this.board.send(Buffer.from(text, 'utf8'));
  }

  private execute(command: string): void {
    if (this.echo) this.send(`${command}\r\n`);
    const upper = command.toUpperCase();
    if (upper === 'AT') return this.send(OK);
    if (upper === 'ATE0' || upper === 'ATE1') {
      this.echo = upper === 'ATE1';
      return this.send(OK);
    }
    if (upper === 'AT+GMR') {
      return this.send(`AT version:${this.hardware.firmware}(sim - ESP32 - Jan  1 2026 00:00:00)\r\nSDK version:v5.0-sim\r\ncompile time(sim):Jan  1 2026 00:00:00\r\nBin version:${this.hardware.firmware}(${this.hardware.model})\r\n${OK}`);
    }
    if (upper === 'AT+CIPSTAMAC?') return this.send(`+CIPSTAMAC:"${[...this.hardware.mac].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}"\r\n${OK}`);
    if (upper === 'AT+RST') return this.restart(false);
    if (upper === 'AT+RESTORE') return this.restart(true);
    if (upper.startsWith('AT+SYSMFG=')) return this.sysmfg(command.slice('AT+SYSMFG='.length));
    this.send(ERROR);
  }

  /** AT+SYSMFG=<operation>,<"namespace">,<"key">[,<type>,<value>] (ESP-AT Basic AT Commands). */
  private sysmfg(args: string): void {
    const match = /^([0-2]),"([^"]+)","([^"]+)"(?:,(\d),(\d+))?$/.exec(args);
    if (!match) return this.send(ERROR);
    const [, operation, namespace = '', key = '', type, value] = match;
    const space = (this.flash.mfg[namespace] ??= {});
    if (operation === '0') {
      delete space[key];
      this.save();
      return this.send(OK);
    }
    if (operation === '1') {
      const stored = space[key];
      if (!stored) return this.send(ERROR);
      const bytes = Buffer.from(stored.base64, 'base64');
      const text = stored.type <= 6 ? bytes.toString('utf8') : bytes.toString('latin1');
      return this.board.send(Buffer.concat([Buffer.from(`+SYSMFG:"${namespace}","${key}",${stored.type},${stored.type <= 6 ? text.length : bytes.length},`), bytes, Buffer.from(`\r\n${OK}`)]));
    }
    const kind = Number(type);
    if (!type || !value) return this.send(ERROR);
    if (kind <= 6) {
      space[key] = { type: kind, base64: Buffer.from(value).toString('base64') };
      this.save();
      return this.send(OK);
    }
    // Strings and blobs: OK, then the prompt, then exactly <value> bytes (the manual's example).
    this.pendingWrite = { namespace, key, type: kind, length: Number(value), received: [], size: 0 };
    this.send(`${OK}\r\n>`);
  }

  private finishWrite(write: NonNullable<AtFirmware['pendingWrite']>): void {
    this.pendingWrite = null;
    (this.flash.mfg[write.namespace] ??= {})[write.key] = { type: write.type, base64: Buffer.concat(write.received).toString('base64') };
    this.save();
    this.send(OK);
  }

  private restart(restore: boolean): void {
    this.send(OK);
    if (restore) for (const namespace of Object.keys(this.flash.mfg)) if (!FACTORY_NAMESPACES.has(namespace)) delete this.flash.mfg[namespace];
    this.save();
    this.asleepUntil = performance.now() + RESTART_MS;
    this.echo = true;
    setTimeout(() => this.boot(), RESTART_MS);
  }

  private save(): void {
    saveFlash(this.statePath, this.flash);
  }
}
