import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDataFolder } from '../../electron/core/init';
import { createPkiModule, type PkiModule } from '../../electron/pki/module';
import { verifyStationSignature } from '../../electron/pki/station-key';
import { VaultSlot } from '../../electron/pki/vault-slot';
import { Registry } from '../../electron/registry/registry';
import { openServices, type Services } from '../../electron/services';
import { ok, type Result } from '../../shared/result';
import { tempDir } from '../helpers/cli';
import { openssl } from '../helpers/openssl';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const unlock = async () => ok({ method: 'passphrase' as const, passphrase: 'trust test passphrase' });

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A TLS server shaped like the hub's listeners: client certificate requested, chain checked by OpenSSL. */
function mtlsServer(credentials: { cert: string; key: string }, ca: string[]): Promise<{ server: Server; port: number; accepted: TLSSocket[] }> {
  const accepted: TLSSocket[] = [];
  const server = createServer({ ...credentials, ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, (socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
    socket.write('welcome');
  });
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, accepted })));
}

function connectDevice(port: number, ca: string, client?: { cert: string; key: string }): Promise<TLSSocket | Error> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...client });
    // TLS 1.3 reports a refused client certificate after the handshake: the server's first bytes are the verdict.
    socket.once('data', () => resolve(socket));
    socket.once('error', (error) => resolve(error));
    socket.once('close', () => resolve(new Error('closed by the server')));
  });
}

describe('PKI trust provider for the hub (in-process services, real TLS on 127.0.0.1)', () => {
  let services: Services;
  let pki: PkiModule;
  let registry: Registry;
  let productKey: string;
  const revokedEvents: unknown[] = [];

  beforeAll(async () => {
    const dir = tempDir();
    value(await initDataFolder(dir, unlock, { scrypt: { N: 2 ** 14, r: 8, p: 1 } }));
    services = value(await openServices({ dataDir: dir, host: 'cli', logLevel: 'warn', unlock }));
    const { context } = services;
    registry = new Registry(context);
    pki = createPkiModule(context, { registry, vaultSlot: new VaultSlot(services.db, context.vault(), context.clock) });
    services.events.subscribe((channel, payload) => channel === 'certificates.revoked' && revokedEvents.push(payload));
    productKey = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'certificate', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' })).product.productKey;
    for (const deviceKey of ['tls-dev', 'other-dev']) value(registry.createDevice({ productKey, deviceKey }));
  });
  afterAll(() => services.stop());

  it('has no server credentials and no trusted CAs before a CA exists', async () => {
    expect(await pki.trust.serverCredentials()).toBeNull();
    expect(pki.trust.trustedCas()).toEqual([]);
  });

  it('serves TLS with a local-CA server certificate, admits a device certificate, refuses none and drops revoked', async () => {
    await pki.handlers['certificates.caInit']({ algorithm: 'P-256', name: 'Trust Test', validYears: 2 }, { transport: 'in-process' });
    const credentials = (await pki.trust.serverCredentials())!;
    expect(credentials.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    // The same certificate is reused on the next start.
    expect((await pki.trust.serverCredentials())!.cert).toBe(credentials.cert);
    const chain = value(await pki.handlers['certificates.caChain']({}, { transport: 'in-process' })).pem;

    const device = value(pki.issuer.issueWithHostKey({ productKey, deviceKey: 'tls-dev' }, 'P-256', { C: 'DE', ST: 'BY', L: 'Munich', O: 'Acme', OU: 'Line' }, 30));
    const keyPem = value(pki.issuer.exportKey(device.serial, 'client key pass'));
    const client = { cert: pki.issuer.describe(device).certificatePem, key: keyPem, passphrase: 'client key pass' };

    const { server, port, accepted } = await mtlsServer(credentials, pki.trust.trustedCas());
    try {
      const socket = await connectDevice(port, chain, client);
      expect(socket).not.toBeInstanceOf(Error);
      const peer = accepted[0]!.getPeerCertificate();
      expect(accepted[0]!.authorized).toBe(true);
      expect(pki.trust.checkClientCertificate(peer, 'tls-dev')).toEqual({ ok: true, value: undefined });
      expect(pki.trust.checkClientCertificate(peer, 'other-dev')).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });

      expect(await connectDevice(port, chain)).toBeInstanceOf(Error);

      const dropped: string[] = [];
      const off = pki.trust.onRevoked((revoked) => {
        dropped.push(`${revoked.productKey}/${revoked.deviceKey}`);
        accepted[0]!.destroy();
      });
      value(await pki.handlers['certificates.revoke']({ device: 'tls-dev', reason: 'keyCompromise' }, { transport: 'in-process' }));
      off();
      expect(dropped).toEqual([`${productKey}/tls-dev`]);
      expect(revokedEvents).toEqual([{ serial: device.serial, productKey, deviceKey: 'tls-dev' }]);
      expect(pki.trust.isRevoked(peer.serialNumber)).toBe(true);
      expect(pki.trust.checkClientCertificate(peer, 'tls-dev')).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      expect(registry.resolveDevice('tls-dev')).toMatchObject({ ok: true, value: { certFingerprint: null } });
      (socket as TLSSocket).destroy();
    } finally {
      server.close();
    }
  });

  it('trusts a chain a destination returned (EnOS §11.4 caCert)', () => {
    const before = pki.trust.trustedCas().length;
    const dir = tempDir();
    const files = { cert: join(dir, 'enos.crt'), key: join(dir, 'enos.key') };
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', files.key, '-out', files.cert, '-subj', '/C=CN/ST=Shanghai/L=Shanghai/O=EnOS/OU=EnOS CA/CN=EnOS CA', '-days', '30']);
    const pem = openssl(['x509', '-in', files.cert]).stdout;
    expect(pki.trust.addDestinationChain(pem)).toEqual({ ok: true, value: 1 });
    expect(pki.trust.trustedCas()).toHaveLength(before + 1);
    expect(pki.trust.addDestinationChain('no pem here')).toMatchObject({ ok: false, error: { code: 'PKI_MALFORMED' } });
  });

  it('signs with the station key; openssl verifies with the exported public key', () => {
    const data = Buffer.from('{"record":"birth","device":"tls-dev"}');
    const signed = value(pki.stationKey.sign(data));
    const publicKey = value(pki.stationKey.publicKey());
    expect(signed.keyId).toBe(publicKey.fingerprint);
    expect(verifyStationSignature(publicKey.publicKeyPem, data, signed.signature)).toBe(true);
    expect(verifyStationSignature(publicKey.publicKeyPem, Buffer.from('tampered'), signed.signature)).toBe(false);
    const dir = tempDir();
    writeFileSync(join(dir, 'data'), data);
    writeFileSync(join(dir, 'sig'), Buffer.from(signed.signature, 'base64'));
    writeFileSync(join(dir, 'pub.pem'), publicKey.publicKeyPem);
    expect(openssl(['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig'), join(dir, 'data')]).stdout).toContain('Verified OK');
  });
});
