import { createHash } from 'node:crypto';
import type { DeviceIdentity } from '../../../shared/contract/ports';
import { err, ok, type Result } from '../../../shared/result';
import type { ByteChannel } from '../channel';
import type { HashItem, SecretKind } from '../protocol/commands';
import { fillTemplate, type AtProfile, type AtStep } from './at-profile';
import type { ConnectivityReport, DeviceConfig, DeviceDriver } from './driver';
import { configHash } from './framed';

type Vars = Record<string, string>;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Runs AT-profile operations over a channel: sends each step's command, feeds data after the
 * module's prompt, collects response lines up to the final OK/ERROR, and captures variables.
 * Every wait ends at the step's timeout.
 */
export class AtSession {
  private buffer = '';
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly channel: ByteChannel,
    private readonly profile: AtProfile,
  ) {
    this.unsubscribe = [
      channel.onData((bytes) => {
        // latin1 keeps one character per byte, so binary lengths count bytes.
        this.buffer += bytes.toString('latin1');
        this.waiters.forEach((wake) => wake());
      }),
      channel.onClose(() => this.waiters.forEach((wake) => wake())),
    ];
  }

  close(): void {
    this.unsubscribe.forEach((off) => off());
  }

  async run(operation: string, vars: Vars = {}): Promise<Result<Vars>> {
    const steps = this.profile.operations[operation];
    if (!steps) return err('UNSUPPORTED', `Port ${this.channel.path}: the ${this.profile.name} profile has no "${operation}" operation.`);
    const captured: Vars = { ...vars };
    for (const step of steps) {
      if (step.when && !captured[step.when]) continue;
      const result = await this.step(operation, step, captured);
      if (!result.ok) return result;
    }
    return ok(captured);
  }

  private fail<T>(code: 'AT_COMMAND_FAILED' | 'SERIAL_NO_ANSWER' | 'SERIAL_PORT_VANISHED', operation: string, command: string, what: string): Result<T> {
    return err(code, `Port ${this.channel.path}, step ${operation} (${command.split('=')[0]}): ${what}.`);
  }

  private async step(operation: string, step: AtStep, vars: Vars): Promise<Result<void>> {
    const command = fillTemplate(step.send, vars);
    const timeoutMs = step.timeoutMs ?? this.profile.timeoutMs;
    const deadline = performance.now() + timeoutMs;
    this.buffer = '';
    await this.channel.write(Buffer.from(command + this.profile.lineEnding, 'utf8')).catch(() => undefined);
    if (step.data !== undefined) {
      const prompted = await this.waitFor((text) => text.includes(this.profile.prompt) || this.finalLine(text) === 'error', deadline);
      if (prompted !== 'ok') return this.waitFailure(prompted, operation, command, timeoutMs, 'no prompt');
      if (this.finalLine(this.buffer) === 'error' && !this.buffer.includes(this.profile.prompt)) return this.fail('AT_COMMAND_FAILED', operation, command, 'the module answered ERROR');
      this.buffer = '';
      await this.channel.write(Buffer.from(fillTemplate(step.data, vars, true), 'utf8')).catch(() => undefined);
    }
    const finished = await this.waitFor((text) => this.finalLine(text) !== null, deadline);
    if (finished !== 'ok') return this.waitFailure(finished, operation, command, timeoutMs, 'no final OK or ERROR');
    if (this.finalLine(this.buffer) === 'error') return step.optional ? ok(undefined) : this.fail('AT_COMMAND_FAILED', operation, command, 'the module answered ERROR');
    this.capture(step, vars);
    return ok(undefined);
  }

  private waitFailure(outcome: 'timeout' | 'closed', operation: string, command: string, timeoutMs: number, what: string): Result<void> {
    return outcome === 'closed'
      ? this.fail('SERIAL_PORT_VANISHED', operation, command, 'the port vanished')
      : this.fail('SERIAL_NO_ANSWER', operation, command, `${what} within ${timeoutMs} ms`);
  }

  private capture(step: AtStep, vars: Vars): void {
    const text = this.buffer;
    if (step.binary) {
      const match = new RegExp(step.binary.prefix).exec(text);
      if (match) {
        const start = match.index + match[0].length;
        vars[step.binary.into] = Buffer.from(text.slice(start, start + Number(match[1])), 'latin1').toString('utf8');
      }
    }
    const lines = text.split(/\r?\n/);
    for (const [name, pattern] of Object.entries(step.capture ?? {})) {
      const regex = new RegExp(pattern);
      for (const line of lines) {
        const match = regex.exec(line);
        if (match?.[1] !== undefined) vars[name] = Buffer.from(match[1], 'latin1').toString('utf8');
      }
    }
  }

  /** The final result line of a response so far, judged on whole lines only. */
  private finalLine(text: string): 'ok' | 'error' | null {
    const lines = text.split(/\r?\n/);
    lines.pop(); // an unterminated last line is not a result yet
    const okPattern = new RegExp(this.profile.final.ok);
    const errorPattern = new RegExp(this.profile.final.error);
    for (const line of lines.reverse()) {
      if (okPattern.test(line)) return 'ok';
      if (errorPattern.test(line)) return 'error';
    }
    return null;
  }

  private waitFor(done: (text: string) => boolean, deadline: number): Promise<'ok' | 'timeout' | 'closed'> {
    return new Promise((resolve) => {
      const check = () => {
        const outcome = done(this.buffer) ? 'ok' : this.channel.closed ? 'closed' : performance.now() >= deadline ? 'timeout' : null;
        if (!outcome) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(check, Math.max(0, deadline - performance.now()) + 1);
      this.waiters.add(check);
      check();
    });
  }
}

/** The driver operations on an AT-command module, as its profile maps them. */
export class AtDriver implements DeviceDriver {
  readonly kind = 'at' as const;
  readonly pipelines = false;
  private readonly session: AtSession;

  constructor(
    private readonly channel: ByteChannel,
    private readonly profile: AtProfile,
  ) {
    this.session = new AtSession(channel, profile);
  }

  private unsupported<T>(what: string): Promise<Result<T>> {
    return Promise.resolve(err('UNSUPPORTED', `Port ${this.channel.path}: ${what} is not possible over the ${this.profile.name} AT profile.`));
  }

  private async done(operation: string, vars: Vars = {}): Promise<Result<void>> {
    const result = await this.session.run(operation, vars);
    return result.ok ? ok(undefined) : result;
  }

  async identify(): Promise<Result<DeviceIdentity>> {
    const result = await this.session.run('identify');
    if (!result.ok) return result;
    const vars = result.value;
    return ok({
      driver: 'at',
      protocolVersion: null,
      model: vars.model ?? '',
      serial: vars.serial ?? '',
      mac: (vars.mac ?? '').toLowerCase(),
      firmware: vars.firmware ?? '',
      capabilities: this.profile.capabilities,
      protocols: this.profile.protocols,
      storageBytes: null,
      state: 'unknown',
      maxFrame: null,
    });
  }

  async readConfig(): Promise<Result<DeviceConfig>> {
    const result = await this.session.run('readConfig');
    if (!result.ok) return result;
    const { productKey, deviceKey, mqttHost, mqttPort } = result.value;
    return ok({
      ...(productKey !== undefined ? { productKey } : {}),
      ...(deviceKey !== undefined ? { deviceKey } : {}),
      endpoints: mqttHost ? [{ protocol: 'mqtt', host: mqttHost, port: Number(mqttPort ?? 11883), tls: false }] : [],
    });
  }

  writeConfig(config: DeviceConfig): Promise<Result<void>> {
    const mqtt = config.endpoints?.find((endpoint) => endpoint.protocol === 'mqtt');
    const vars: Vars = {};
    if (config.productKey) vars.productKey = config.productKey;
    if (config.deviceKey) vars.deviceKey = config.deviceKey;
    if (mqtt) Object.assign(vars, { mqttHost: mqtt.host, mqttPort: String(mqtt.port) });
    return this.done('writeConfig', vars);
  }

  writeSecret(kind: SecretKind, secret: string): Promise<Result<void>> {
    return this.done(`writeSecret.${kind}`, { secret });
  }

  forgetSecret(kind: SecretKind): Promise<Result<void>> {
    return this.done(`forgetSecret.${kind}`);
  }

  generateCsr(): Promise<Result<Buffer>> {
    return this.unsupported('on-device key generation');
  }

  writeCertificateChain(pem: string): Promise<Result<void>> {
    return this.done('writeCertificateChain', { pem });
  }

  writePrivateKey(pem: string): Promise<Result<void>> {
    return this.done('writePrivateKey', { pem });
  }

  writeFirmware(): Promise<Result<void>> {
    return this.unsupported('a firmware transfer');
  }

  /** AT modules cannot hash: read the values back and hash them here, keeping none of them. */
  async readHashes(): Promise<Result<Partial<Record<HashItem, string>>>> {
    const config = await this.readConfig();
    if (!config.ok) return config;
    const secrets = await this.session.run('readSecrets');
    if (!secrets.ok) return secrets;
    const certificates = await this.session.run('readCertificates');
    if (!certificates.ok) return certificates;
    const hashes: Partial<Record<HashItem, string>> = {};
    if (config.value.productKey || config.value.deviceKey || config.value.endpoints?.length) hashes.config = configHash(config.value);
    const values: [HashItem, string | undefined][] = [
      ['deviceSecret', secrets.value.deviceSecret],
      ['productSecret', secrets.value.productSecret],
      ['certificateChain', certificates.value.certificateChain],
      ['privateKey', certificates.value.privateKey],
    ];
    for (const [item, value] of values) if (value !== undefined) hashes[item] = sha256(value);
    return ok(hashes);
  }

  connectivityTest(): Promise<Result<ConnectivityReport[]>> {
    return this.unsupported('a connectivity test');
  }

  commit(): Promise<Result<void>> {
    return this.done('commit');
  }

  reboot(): Promise<Result<void>> {
    return this.done('reboot');
  }

  factoryReset(): Promise<Result<void>> {
    return this.done('factoryReset');
  }

  close(): void {
    this.session.close();
  }
}
