import { describe, expect, it } from 'vitest';
import { createLogger } from '../../electron/core/logger';
import { REDACTED } from '../../electron/core/redact';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';

describe('logger redaction', () => {
  it('keeps no secret-like field, private key or URL token in any sink', () => {
    const seen: string[] = [];
    const logger = createLogger({ level: 'trace', ringSize: 10, sink: (line) => seen.push(JSON.stringify(line)) });
    logger.child('hub').info(`connect from http://127.0.0.1:1/?token=SeCrEtToKeN1 with ${PEM}`, {
      productKey: 'pKdemo01',
      deviceKey: 'dev-001',
      deviceSecret: 'DsDemoSecret0001',
      productSecret: 'PsDemoSecret0001',
      password: 'hunter2-password',
      nested: { passphrase: 'my vault passphrase', apimSignature: 'abc123signature', list: [{ accessToken: 'tok-42-xyz' }] },
      sign: 'B99032D49C706F7B27B22AB5CD2DD3C5',
      privateKeyPem: PEM,
      note: `inline ${PEM}`,
      error: new Error(`failed with ${PEM}`),
    });
    const text = seen.join('\n') + JSON.stringify(logger.recent(10));
    for (const secret of ['DsDemoSecret0001', 'PsDemoSecret0001', 'hunter2-password', 'my vault passphrase', 'abc123signature', 'tok-42-xyz', 'B99032D49C706F7B27B22AB5CD2DD3C5', 'MIGHAgEAMBMGByqGSM49', 'SeCrEtToKeN1']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('pKdemo01');
    expect(text).toContain('dev-001');
    expect(text).toContain(REDACTED);
  });

  it('filters by level, keeps a bounded ring and notifies listeners', () => {
    const logger = createLogger({ level: 'info', ringSize: 3 });
    const pushed: string[] = [];
    logger.onLine((line) => pushed.push(line.msg));
    logger.debug('hidden');
    for (const msg of ['a', 'b', 'c', 'd']) logger.info(msg);
    logger.warn('w');
    expect(logger.recent(10).map((line) => line.msg)).toEqual(['c', 'd', 'w']);
    expect(logger.recent(10, 'warn').map((line) => line.msg)).toEqual(['w']);
    expect(pushed).toEqual(['a', 'b', 'c', 'd', 'w']);
  });
});
