import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMqttCredentials } from '../../electron/protocol';
import { initDataDir, readPortsFile, runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';
import { DEVICE_SUBJECT, opensslCsr } from '../helpers/openssl';

/** Whether a TLS handshake with `ca` as the only trust anchor accepts the server's certificate for localhost. */
function serverTrusted(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca, rejectUnauthorized: false }, () => {
      resolve(socket.authorized);
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A CA made while the hub runs (a technician's first `ca init` in the station): the hub's TLS
 * listeners take the CA's server certificate and trust its device certificates at once, without a
 * restart (before, a certificate device could not verify until the hub restarted).
 */
describe('the hub takes a new CA without a restart', () => {
  let dir: string;
  let work: string;
  let hub: CliProcess;
  let ports: Record<string, string | number>;
  const cli = (...args: string[]) => runCli(['--data', dir, '--json', ...args]).json<{ ok: boolean; value?: never; error?: { code: string } }>();

  beforeAll(async () => {
    dir = initDataDir();
    work = tempDir('pki-refresh-');
    const portsFile = join(work, 'ports.json');
    hub = startCli(['--data', dir, 'hub', '--port', '0', '--mqtt-port', 'off', '--mqtts-port', '0', '--wss-port', '0', '--https-port', '0', '--ports-file', portsFile]);
    ports = await readPortsFile(portsFile);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('serves the CA’s server certificate on MQTTS, WSS and HTTPS, and admits a device certificate it issued', async () => {
    expect(cli('ca', 'init', '--name', 'Made While Running').ok).toBe(true);
    const chainFile = join(work, 'chain.pem');
    expect(cli('ca', 'export', '--chain', '--out', chainFile).ok).toBe(true);
    const chain = readFileSync(chainFile);
    await expect.poll(() => Promise.all([ports.mqtts, ports.wss, ports.https].map((port) => serverTrusted(Number(port), chain)))).toEqual([true, true, true]);

    const productKey = (cli('product', 'create', '--name', 'Cert meter', '--auth', 'certificate').value as unknown as { product: { productKey: string } }).product.productKey;
    const deviceSecret = (cli('device', 'create', '--product', productKey, '--device-key', 'dev-new-ca').value as unknown as { deviceSecret: string }).deviceSecret;
    const csr = opensslCsr(work, 'dev-new-ca', DEVICE_SUBJECT('dev-new-ca'));
    const certificate = join(work, 'dev-new-ca.pem');
    expect(cli('cert', 'issue', '--device', 'dev-new-ca', '--csr', csr.csr, '--out', certificate).ok).toBe(true);
    const client = mqtt.connect(`mqtts://127.0.0.1:${ports.mqtts}`, {
      ...buildMqttCredentials({ productKey, deviceKey: 'dev-new-ca', secret: deviceSecret, secureMode: 2, timestamp: String(Date.now()) }),
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ca: chain,
      servername: 'localhost',
      rejectUnauthorized: true,
      cert: readFileSync(certificate),
      key: readFileSync(csr.key),
    });
    const connected = await new Promise<boolean>((resolve) => {
      client.once('connect', () => resolve(true));
      client.once('error', () => resolve(false));
      client.once('close', () => resolve(false));
    });
    await client.endAsync(true);
    expect(connected).toBe(true);
  });
});
