import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMqttCredentials } from '../../electron/protocol';
import { initDataDir, readPortsFile, runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';
import { connect, nextMessage, request } from '../helpers/hub';

const MODEL = join(__dirname, '../../bench/bench-model.json');
let dataDir: string;
let hub: CliProcess;
let ports: Record<string, number | string>;
let pk: string;
let dynPk: string;
let productSecret: string;
const secrets: Record<string, string> = {};

function cli(args: string[]) {
  return runCli(['--data', dataDir, '--json', ...args]);
}

/** For commands a device in this process must answer: runCli would block its event loop. */
async function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; json(): unknown }> {
  const child = startCli(['--data', dataDir, ...args]);
  const status = await child.exited();
  const stdout = child.stdout();
  return { status, stdout, json: () => JSON.parse(stdout.trim().split('\n').at(-1)!) };
}

function created<T>(args: string[]): T {
  const run = cli(args);
  if (run.status !== 0) throw new Error(run.stderr);
  return run.json<{ value: T }>().value;
}

const login = (deviceKey: string, secureMode: 2 | 3 = 2, productKey = pk) =>
  buildMqttCredentials({ productKey, deviceKey, secret: secureMode === 2 ? secrets[deviceKey]! : productSecret, secureMode, timestamp: String(Date.now()) });
const postTopic = (deviceKey: string) => `/sys/${pk}/${deviceKey}/thing/measurepoint/post`;
const post = JSON.stringify({ id: '42', version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { temp: 21.5, note: 'hi' }, time: 1700000000000 } });

function mosquitto(tool: 'mosquitto_rr' | 'mosquitto_pub', credentials: { clientId: string; username: string; password: string }, args: string[]) {
  return spawnSync(tool, ['-h', '127.0.0.1', '-V', 'mqttv311', '-i', credentials.clientId, '-u', credentials.username, '-P', credentials.password, ...args], { encoding: 'utf8', timeout: 20_000 });
}

beforeAll(async () => {
  dataDir = initDataDir();
  pk = created<{ product: { productKey: string } }>(['product', 'create', '--name', 'demo', '--auth', 'device-secret', '--model', MODEL]).product.productKey;
  for (const deviceKey of ['dev-001', 'dev-002', 'dev-tls', 'dev-wss', 'monitor']) {
    secrets[deviceKey] = created<{ deviceSecret: string }>(['device', 'create', '--product', pk, '--device-key', deviceKey]).deviceSecret;
  }
  const dynamic = created<{ product: { productKey: string }; productSecret: string }>(['product', 'create', '--name', 'dyn', '--auth', 'product-secret', '--model', MODEL]);
  dynPk = dynamic.product.productKey;
  productSecret = dynamic.productSecret;
  created(['device', 'create', '--product', dynPk, '--device-key', 'dyn-001']);
  const portsFile = join(tempDir(), 'ports.json');
  hub = startCli(['--data', dataDir, 'hub', '--port', '0', '--mqtt-port', '0', '--mqtts-port', '0', '--wss-port', '0', '--monitor', `${pk}/monitor`, '--ports-file', portsFile]);
  ports = await readPortsFile(portsFile);
  await hub.waitFor(/listening/);
});

afterAll(async () => {
  expect(await hub?.stop()).toBe(0);
});

describe('commissioner hub with real peers', () => {
  it('lists every bound port in the ports file', () => {
    expect(ports).toMatchObject({ mqtt: expect.any(Number), mqtts: expect.any(Number), wss: expect.any(Number), bridge: expect.any(Number) });
  });

  it('mosquitto_rr logs in with a computed EnOS password and gets its reply on one connection', () => {
    const run = mosquitto('mosquitto_rr', login('dev-001'), ['-p', String(ports.mqtt), '-t', postTopic('dev-001'), '-e', `${postTopic('dev-001')}_reply`, '-m', post, '-q', '1', '-W', '10']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ id: '42', code: 200, message: '', data: {} });
  });

  it('mosquitto_pub with a wrong password or a wrong secure mode is refused', () => {
    const wrongPassword = mosquitto('mosquitto_pub', { ...login('dev-001'), password: '0'.repeat(64) }, ['-p', String(ports.mqtt), '-t', postTopic('dev-001'), '-m', post]);
    expect(wrongPassword.status).not.toBe(0);
    expect(wrongPassword.stderr).toMatch(/bad user name or password/i);
    const wrongMode = mosquitto('mosquitto_pub', buildMqttCredentials({ productKey: pk, deviceKey: 'dev-001', secret: secrets['dev-001']!, secureMode: 3, timestamp: '1' }), ['-p', String(ports.mqtt), '-t', postTopic('dev-001'), '-m', post]);
    expect(wrongMode.status).not.toBe(0);
    expect(wrongMode.stderr).toMatch(/not authori[sz]ed/i);
  });

  it('a cross-device publish gets no success: counted as refused, never forwarded', async () => {
    const monitor = await connect(`mqtt://127.0.0.1:${ports.mqtt}`, login('monitor'));
    await monitor.subscribeAsync(`/sys/${pk}/+/thing/measurepoint/post`, { qos: 1 });
    const seen: string[] = [];
    monitor.on('message', (topic) => seen.push(topic));
    const run = mosquitto('mosquitto_pub', login('dev-001'), ['-p', String(ports.mqtt), '-t', postTopic('dev-002'), '-m', post, '-q', '1']);
    expect(run.status).toBe(0);
    // A post of its own afterwards arrives; the cross-device one before it never does.
    const own = nextMessage(monitor, postTopic('dev-001'));
    mosquitto('mosquitto_pub', login('dev-001'), ['-p', String(ports.mqtt), '-t', postTopic('dev-001'), '-m', post, '-q', '1']);
    await own;
    expect(seen).toEqual([postTopic('dev-001')]);
    await monitor.endAsync();
    // A first login moves a planned device to active (written in a batch shortly after).
    await expect.poll(() => cli(['device', 'show', `${pk}/dev-001`]).json<{ value: { state: string } }>().value.state, { timeout: 10_000 }).toBe('active');
    const stats = cli(['stats']).json<{ value: { totals: { refusals: Record<string, number>; errors: Record<string, number> } } }>().value;
    expect(stats.totals.refusals['publish-refused']).toBeGreaterThanOrEqual(1);
    expect(stats.totals.errors['1009']).toBeGreaterThanOrEqual(1);
  });

  it('a TLS client (mosquitto) and a secure WebSocket client (mqtt.js) connect', async () => {
    const server = spawnSync('sh', ['-c', `openssl s_client -connect 127.0.0.1:${ports.mqtts} -showcerts </dev/null 2>/dev/null | openssl x509`], { encoding: 'utf8', timeout: 20_000 });
    const caFile = join(tempDir(), 'hub.pem');
    writeFileSync(caFile, server.stdout);
    const tls = mosquitto('mosquitto_rr', login('dev-tls'), ['-p', String(ports.mqtts), '--cafile', caFile, '--insecure', '-t', postTopic('dev-tls'), '-e', `${postTopic('dev-tls')}_reply`, '-m', post, '-q', '1', '-W', '10']);
    expect(tls.stderr).toBe('');
    expect(JSON.parse(tls.stdout).code).toBe(200);
    const wss = await connect(`wss://127.0.0.1:${ports.wss}/mqtt`, login('dev-wss'), { rejectUnauthorized: false });
    expect((await request(wss, postTopic('dev-wss'), post)).code).toBe(200);
    const sessions = cli(['--log-level', 'error', 'stats']).json<{ value: { online: number } }>().value;
    expect(sessions.online).toBeGreaterThanOrEqual(1);
    await wss.endAsync();
  });

  it('invoke and set reach a connected device through the running hub', async () => {
    const device = await connect(`mqtt://127.0.0.1:${ports.mqtt}`, login('dev-001'));
    device.on('message', (topic, payload) => {
      const { id, params } = JSON.parse(payload.toString());
      const code = topic.endsWith('/measurepoint/set') && params.temp === 99 ? '1102' : 200;
      device.publish(`${topic}_reply`, JSON.stringify({ id, code, data: topic.endsWith('/reboot') ? { done: params.delay === 1 } : {} }));
    });
    const invoked = await cliAsync(['--json', 'invoke', '--device', 'dev-001', '--service', 'reboot', '--params', '{"delay":1}', '--timeout', '5']);
    expect(invoked.status).toBe(0);
    expect(invoked.json()).toMatchObject({ ok: true, value: { status: 'replied', code: 200, data: { done: true } } });
    const human = await cliAsync(['set', '--device', `${pk}/dev-001`, '--measurepoints', '{"temp":5}', '--timeout', '5']);
    expect(human.stdout).toMatch(/^code 200/);
    expect((await cliAsync(['--json', 'set', '--device', 'dev-001', '--measurepoints', '{"temp":99}'])).json()).toMatchObject({ ok: true, value: { code: 1102 } });
    await device.endAsync();
  });

  it.each([
    [['invoke', '--device', 'dev-001', '--service', 'reboot', '--params', 'not json'], 2, null],
    [['set', '--device', 'dev-001', '--measurepoints', '[1]'], 2, null],
    [['invoke', '--device', 'dev-001', '--service', 'reboot', '--timeout', '600'], 2, null],
    [['invoke', '--device', 'ghost', '--service', 'reboot'], 1, 'NOT_FOUND'],
    [['invoke', '--device', 'dev-002', '--service', 'reboot', '--params', '{"delay":1}'], 1, 'DEVICE_OFFLINE'],
    [['invoke', '--device', 'dev-002', '--service', 'nope'], 1, 'VALIDATION_FAILED'],
    [['set', '--device', 'dev-002', '--measurepoints', '{"temp":"hot"}'], 1, 'VALIDATION_FAILED'],
  ])('refuses %j (exit %i, %s)', (args, status, code) => {
    const run = cli(args);
    expect(run.status).toBe(status);
    if (code) expect(run.json()).toMatchObject({ ok: false, error: { code } });
  });

  it('a listener given as off is not started', async () => {
    const portsFile = join(tempDir(), 'ports.json');
    const other = startCli(['--data', initDataDir(), 'hub', '--mqtt-port', '0', '--mqtts-port', 'off', '--wss-port', 'off', '--ports-file', portsFile]);
    const bound = await readPortsFile(portsFile);
    // The owner installs its SIGTERM handler after printing this line (ports file first).
    await other.waitFor(/listening/);
    expect(bound.mqtt).toEqual(expect.any(Number));
    expect(bound).not.toHaveProperty('mqtts');
    expect(bound).not.toHaveProperty('wss');
    expect(await other.stop()).toBe(0);
  });

  it('invoke, set and stats need a running owner', () => {
    const lonely = initDataDir();
    const run = runCli(['--data', lonely, '--json', 'stats']);
    expect(run.status).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'NO_OWNER' } });
  });

  it('dynamic activation round trip with mqtt.js, then a second activation is refused', async () => {
    const url = `mqtt://127.0.0.1:${ports.mqtt}`;
    let info!: ReturnType<typeof nextMessage>;
    const first = await connect(url, login('dyn-001', 3, dynPk), {}, (early) => (info = nextMessage(early, `/ext/session/${dynPk}/dyn-001/thing/activate/info`)));
    const pushed = (await info).json as { id: string; params: { deviceSecret: string } };
    await first.publishAsync(`/ext/session/${dynPk}/dyn-001/thing/activate/info_reply`, JSON.stringify({ id: pushed.id, code: 200, data: {} }), { qos: 1 });
    await first.endAsync();
    secrets['dyn-001'] = pushed.params.deviceSecret;
    const second = await connect(url, login('dyn-001', 2, dynPk));
    expect((await request(second, `/sys/${dynPk}/dyn-001/thing/measurepoint/post`, post)).code).toBe(200);
    await second.endAsync();
    expect(cli(['device', 'show', `${dynPk}/dyn-001`]).json()).toMatchObject({ ok: true, value: { state: 'active', credentialSource: 'activation' } });
    await expect(connect(url, login('dyn-001', 3, dynPk))).rejects.toMatchObject({ code: 5 });
  });

  it('a verification login or activation of a device bound for EnOS leaves it planned; only a device whose destination is this hub becomes active (architecture §5)', async () => {
    const url = `mqtt://127.0.0.1:${ports.mqtt}`;
    const forEnos = ['--model', MODEL, '--destination', 'enos-cloud'];
    const enosPk = created<{ product: { productKey: string } }>(['product', 'create', '--name', 'for-enos', '--auth', 'device-secret', ...forEnos]).product.productKey;
    const enosSecret = created<{ deviceSecret: string }>(['device', 'create', '--product', enosPk, '--device-key', 'dev-enos']).deviceSecret;
    const dynamic = created<{ product: { productKey: string }; productSecret: string }>(['product', 'create', '--name', 'dyn-enos', '--auth', 'product-secret', ...forEnos]);
    const dynEnosPk = dynamic.product.productKey;
    created(['device', 'create', '--product', dynEnosPk, '--device-key', 'dyn-enos']);
    secrets['dev-witness'] = created<{ deviceSecret: string }>(['device', 'create', '--product', pk, '--device-key', 'dev-witness']).deviceSecret;
    const timestamp = String(Date.now());

    const verified = await connect(url, buildMqttCredentials({ productKey: enosPk, deviceKey: 'dev-enos', secret: enosSecret, secureMode: 2, timestamp }));
    expect((await request(verified, `/sys/${enosPk}/dev-enos/thing/measurepoint/post`, post)).code).toBe(200);
    await verified.endAsync();
    const activateTopic = `/ext/session/${dynEnosPk}/dyn-enos/thing/activate/info`;
    let info!: ReturnType<typeof nextMessage>;
    const activating = await connect(url, buildMqttCredentials({ productKey: dynEnosPk, deviceKey: 'dyn-enos', secret: dynamic.productSecret, secureMode: 3, timestamp }), {}, (early) => (info = nextMessage(early, activateTopic)));
    const pushed = (await info).json as { id: string };
    await activating.publishAsync(`${activateTopic}_reply`, JSON.stringify({ id: pushed.id, code: 200, data: {} }), { qos: 1 });
    await activating.endAsync();
    // A local device logs in last: once it is active, the logins queued before it were written too.
    const witness = await connect(url, login('dev-witness'));
    await witness.endAsync();
    const state = (ref: string) => cli(['device', 'show', ref]).json<{ value: { state: string; credentialSource: string } }>().value;
    await expect.poll(() => state(`${pk}/dev-witness`).state, { timeout: 10_000 }).toBe('active');
    expect(state(`${enosPk}/dev-enos`).state).toBe('planned');
    expect(state(`${dynEnosPk}/dyn-enos`)).toMatchObject({ state: 'planned', credentialSource: 'activation' });
  });

  it('bad input never crashes the hub: malformed CONNECT, topic injection, a flood of bad logins', async () => {
    const garbage = netConnect(Number(ports.mqtt), '127.0.0.1');
    garbage.write(Buffer.from([0x10, 0x05, 0x00, 0x04, 0x4d, 0x51, 0xff]));
    await new Promise((resolve) => garbage.once('close', resolve));
    const flood = Array.from({ length: 100 }, () => connect(`mqtt://127.0.0.1:${ports.mqtt}`, { ...login('dev-002'), password: 'bad' }).catch((error: { code?: number }) => error.code));
    expect(new Set(await Promise.all(flood))).toEqual(new Set([4]));
    // `+` in a PUBLISH topic: MQTT 3.1.1 closes that connection (mqtt.js refuses to send it, so raw bytes).
    const injected = await connect(`mqtt://127.0.0.1:${ports.mqtt}`, login('dev-002'));
    const closed = new Promise((resolve) => injected.once('close', () => resolve(undefined)));
    (injected as unknown as { stream: NodeJS.WritableStream }).stream.write(Buffer.from([0x30, 0x07, 0x00, 0x03, 0x2f, 0x2b, 0x2f, 0x7b, 0x7d]));
    await closed;
    injected.end(true);
    const healthy = mosquitto('mosquitto_rr', login('dev-002'), ['-p', String(ports.mqtt), '-t', postTopic('dev-002'), '-e', `${postTopic('dev-002')}_reply`, '-m', post, '-q', '1', '-W', '10']);
    expect(JSON.parse(healthy.stdout).code).toBe(200);
  });
});

