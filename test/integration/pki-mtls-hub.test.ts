import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMqttCredentials } from '../../electron/protocol';
import { initDataDir, readPortsFile, runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';
import { DEVICE_SUBJECT, opensslCsr } from '../helpers/openssl';

type Outcome = { connected: true; client: MqttClient } | { connected: false; reason: string };

/**
 * Issue 7: a device connects to the hub with mutual TLS (a client certificate from the local CA,
 * CN = deviceKey, plus its mode-2 login, protocol reference §4) and is refused after revocation;
 * a live session of the device is dropped when its certificate is revoked.
 */
describe('mutual TLS at the hub with local-CA certificates (mqtt.js)', () => {
  let dir: string;
  let work: string;
  let hub: CliProcess;
  let port: number;
  let productKey: string;
  let deviceSecret: string;
  let chain: string;
  const device: { cert?: string; key?: string } = {};

  const cli = (...args: string[]) => runCli(['--data', dir, '--json', ...args]).json<{ ok: boolean; value?: never; error?: { code: string } }>();

  function connect(options: { cert?: string; key?: string }): Promise<Outcome> {
    const login = buildMqttCredentials({ productKey, deviceKey: 'dev-mtls', secret: deviceSecret, secureMode: 2, timestamp: String(Date.now()) });
    const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
      ...login,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ca: readFileSync(chain),
      servername: 'localhost',
      ...options,
    });
    return new Promise((resolve) => {
      client.once('connect', () => resolve({ connected: true, client }));
      client.once('error', (error) => {
        client.end(true);
        resolve({ connected: false, reason: error.message });
      });
      client.once('close', () => resolve({ connected: false, reason: 'closed' }));
    });
  }

  beforeAll(async () => {
    dir = initDataDir();
    work = tempDir('pki-mtls-');
    // The CA exists before the hub starts: its listeners take their server certificate from it.
    expect(cli('ca', 'init', '--name', 'Hub Test').ok).toBe(true);
    chain = join(work, 'chain.pem');
    expect(cli('ca', 'export', '--chain', '--out', chain).ok).toBe(true);
    productKey = (cli('product', 'create', '--name', 'Cert meter', '--auth', 'certificate').value as unknown as { product: { productKey: string } }).product.productKey;
    deviceSecret = (cli('device', 'create', '--product', productKey, '--device-key', 'dev-mtls').value as unknown as { deviceSecret: string }).deviceSecret;
    const csr = opensslCsr(work, 'dev-mtls', DEVICE_SUBJECT('dev-mtls'));
    const certificate = join(work, 'dev-mtls.pem');
    expect(cli('cert', 'issue', '--device', 'dev-mtls', '--csr', csr.csr, '--out', certificate).ok).toBe(true);
    device.cert = readFileSync(certificate, 'utf8');
    device.key = readFileSync(csr.key, 'utf8');
    const portsFile = join(work, 'ports.json');
    hub = startCli(['--data', dir, 'hub', '--port', '0', '--mqtt-port', '0', '--mqtts-port', '0', '--wss-port', '0', '--ports-file', portsFile]);
    port = Number((await readPortsFile(portsFile)).mqtts);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('admits the device with its certificate; refuses it without one', async () => {
    const admitted = await connect({ cert: device.cert, key: device.key });
    expect(admitted.connected).toBe(true);
    if (admitted.connected) admitted.client.end(true);
    expect((await connect({})).connected).toBe(false);
  });

  it('drops the live session on revocation and refuses the next connection', async () => {
    const admitted = await connect({ cert: device.cert, key: device.key });
    expect(admitted.connected).toBe(true);
    if (!admitted.connected) return;
    const closed = new Promise<void>((resolve) => admitted.client.once('close', () => resolve()));
    // Through the live owner's bridge: the hub hears of it at once.
    expect(cli('cert', 'revoke', '--device', 'dev-mtls', '--reason', 'keyCompromise')).toMatchObject({ ok: true });
    await closed;
    admitted.client.end(true);
    const again = await connect({ cert: device.cert, key: device.key });
    expect(again.connected).toBe(false);
  });
});
