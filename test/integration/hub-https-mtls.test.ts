import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustProvider } from '../../electron/hub/tls';
import { httpAuthSign } from '../../electron/protocol';
import { initDataDir, readPortsFile, runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';
import { curl, startTransports } from '../helpers/hub-transports';
import { DEVICE_SUBJECT, openssl, opensslCsr } from '../helpers/openssl';

/**
 * Issue 6, protocol reference §4 and §8 ("mTLS sample on 8443"): a certificate product logs in
 * over HTTPS with a client certificate from a trusted CA (CN = deviceKey) plus its mode-2
 * signature; without the certificate, with another device's, with a revoked one or over plain
 * HTTP it gets 746, and its session id is refused on a connection that does not show the
 * certificate it logged in with.
 */

const CPK = 'pKcert01';
const SECRET = 'CertDevSecret001';
const json = ['-H', 'Content-Type: application/json'];

describe('HTTPS with client certificates (§4)', () => {
  let work: string;
  const revoked = new Set<string>();
  const certs: Record<string, { cert: string; key: string; serial: string }> = {};
  let started: Awaited<ReturnType<typeof startTransports>>;

  /** A CA and a certificate per device, made with the real openssl. */
  function issue(deviceKey: string, caKey: string, ca: string): void {
    const csr = opensslCsr(work, deviceKey, DEVICE_SUBJECT(deviceKey));
    const cert = join(work, `${deviceKey}.pem`);
    const signed = openssl(['x509', '-req', '-in', csr.csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-out', cert]);
    if (signed.status !== 0) throw new Error(signed.stderr);
    const serial = openssl(['x509', '-in', cert, '-noout', '-serial']).stdout.trim().split('=')[1]!.toUpperCase();
    certs[deviceKey] = { cert, key: csr.key, serial };
  }

  beforeAll(async () => {
    work = tempDir('hub-mtls-');
    const caKey = join(work, 'ca.key');
    const ca = join(work, 'ca.pem');
    const made = openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-subj', '/CN=Hub Test CA', '-days', '2', '-out', ca]);
    if (made.status !== 0) throw new Error(made.stderr);
    issue('meter-1', caKey, ca);
    issue('meter-2', caKey, ca);
    const trust: TrustProvider = { serverCredentials: async () => null, trustedCas: () => [readFileSync(ca, 'utf8')], isRevoked: (serial) => revoked.has(serial) };
    started = await startTransports({ hub: { trust } });
    started.directory.addProduct({ productKey: CPK, authScheme: 'certificate', dynamicActivation: false, thingModel: null });
    started.directory.addDevice({ productKey: CPK, deviceKey: 'meter-1', deviceSecret: SECRET });
  });

  afterAll(async () => {
    await started?.stop();
  });

  const login = (base: string, tls: string[]) => {
    const sign = httpAuthSign({ productKey: CPK, deviceKey: 'meter-1', lifetime: 300000, signMethod: 'sha256', deviceSecret: SECRET });
    return curl([...tls, ...json, '--data-binary', JSON.stringify({ signMethod: 'sha256', lifetime: 300000, sign }), `${base}/auth/${CPK}/meter-1`]);
  };
  const withCert = (deviceKey: string) => ['-k', '--cert', certs[deviceKey]!.cert, '--key', certs[deviceKey]!.key];
  const post = (base: string, tls: string[], sessionId: string) =>
    curl([...tls, ...json, '--data-binary', JSON.stringify({ id: '1', version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { any: 1 } } }), `${base}/topic/sys/${CPK}/meter-1/thing/measurepoint/post?sessionId=${sessionId}`]);

  it('admits the device with its certificate, binds the session to it and ends it on revocation', async () => {
    const { httpsUrl, hub } = started;
    const auth = await login(httpsUrl, withCert('meter-1'));
    expect([auth.status, auth.json.code]).toEqual([200, 200]);
    const sessionId = (auth.json.data as { sessionId: string }).sessionId;
    expect(hub.sessionList()[0]).toMatchObject({ listener: 'https', tls: { clientCertificate: { commonName: 'meter-1', serial: certs['meter-1']!.serial } } });
    expect((await post(httpsUrl, withCert('meter-1'), sessionId)).json.code).toBe(200);
    // The session id alone, or shown with another device's certificate, is not enough.
    const bare = await post(httpsUrl, ['-k'], sessionId);
    expect([bare.status, bare.json.code]).toEqual([403, 746]);
    const otherCert = await post(httpsUrl, withCert('meter-2'), sessionId);
    expect([otherCert.status, otherCert.json.code]).toEqual([403, 746]);
    expect(hub.statsSnapshot().protocols.https!.refusals).toMatchObject({ 'certificate-mismatch': 2 });
    // A revocation drops the live session at once (the PKI calls this on `cert revoke`).
    expect(hub.disconnect({ productKey: CPK, deviceKey: 'meter-1' }, 'revoked')).toBe(true);
    const dropped = await post(httpsUrl, withCert('meter-1'), sessionId);
    expect([dropped.status, dropped.json.code]).toEqual([401, 1009]);
  });

  it('refuses the login without a certificate, with another device’s, over plain HTTP and after revocation (746)', async () => {
    const { httpsUrl, httpUrl } = started;
    for (const [base, tls] of [[httpsUrl, ['-k']], [httpsUrl, withCert('meter-2')], [httpUrl, []]] as const) {
      const refused = await login(base, [...tls]);
      expect([refused.status, refused.json.code]).toEqual([403, 746]);
    }
    revoked.add(certs['meter-1']!.serial);
    const afterRevocation = await login(httpsUrl, withCert('meter-1'));
    expect([afterRevocation.status, afterRevocation.json.code]).toEqual([403, 746]);
  });
});

/** The same over the real CLI: the local CA (`ca init`, `cert issue`) is what the HTTPS listener trusts. */
describe('commissioner hub --https-port with a local-CA device certificate', () => {
  let dir: string;
  let work: string;
  let hub: CliProcess;
  let base: string;
  let productKey: string;
  let deviceSecret: string;
  const device: { cert?: string; key?: string } = {};
  const cli = (...args: string[]) => runCli(['--data', dir, '--json', ...args]).json<{ ok: boolean; value?: never }>();

  beforeAll(async () => {
    dir = initDataDir();
    work = tempDir('hub-https-mtls-');
    expect(cli('ca', 'init', '--name', 'Hub Test').ok).toBe(true);
    productKey = (cli('product', 'create', '--name', 'Cert meter', '--auth', 'certificate').value as unknown as { product: { productKey: string } }).product.productKey;
    deviceSecret = (cli('device', 'create', '--product', productKey, '--device-key', 'dev-https').value as unknown as { deviceSecret: string }).deviceSecret;
    const csr = opensslCsr(work, 'dev-https', DEVICE_SUBJECT('dev-https'));
    device.cert = join(work, 'dev-https.pem');
    device.key = csr.key;
    expect(cli('cert', 'issue', '--device', 'dev-https', '--csr', csr.csr, '--out', device.cert).ok).toBe(true);
    const portsFile = join(work, 'ports.json');
    hub = startCli(['--data', dir, 'hub', '--port', '0', '--mqtt-port', 'off', '--mqtts-port', 'off', '--wss-port', 'off', '--https-port', '0', '--ports-file', portsFile]);
    base = `https://127.0.0.1:${Number((await readPortsFile(portsFile)).https)}`;
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('logs in with the certificate, is refused without it (746) and after revocation', async () => {
    const login = (tls: string[]) => {
      const sign = httpAuthSign({ productKey, deviceKey: 'dev-https', lifetime: 300000, signMethod: 'sha256', deviceSecret });
      return curl([...tls, ...json, '--data-binary', JSON.stringify({ signMethod: 'sha256', lifetime: 300000, sign }), `${base}/auth/${productKey}/dev-https`]);
    };
    const withCert = ['-k', '--cert', device.cert!, '--key', device.key!];
    const admitted = await login(withCert);
    expect([admitted.status, admitted.json.code]).toEqual([200, 200]);
    const bare = await login(['-k']);
    expect([bare.status, bare.json.code]).toEqual([403, 746]);
    expect(cli('cert', 'revoke', '--device', 'dev-https', '--reason', 'keyCompromise').ok).toBe(true);
    const revoked = await login(withCert);
    expect([revoked.status, revoked.json.code]).toEqual([403, 746]);
  });
});
