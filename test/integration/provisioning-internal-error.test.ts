import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProvisionResult } from '../../shared/contract/provisioning';
import type { Result } from '../../shared/result';
import { EventBus } from '../../electron/core/event-bus';
import type { Logger } from '../../electron/core/logger';
import { Vault } from '../../electron/pki/vault';
import { Journal } from '../../electron/provisioning/journal';
import { Ledger } from '../../electron/provisioning/ledger';
import { Pipeline, type PipelineDeps } from '../../electron/provisioning/pipeline';
import { openDatabase } from '../../electron/registry/database';
import { Registry } from '../../electron/registry/registry';
import type { DeviceDriver } from '../../electron/serial/drivers/driver';
import { tempDir } from '../helpers/cli';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** A logger that keeps what was logged at error level. */
function recordingLogger(errors: Array<{ msg: string; data?: Record<string, unknown> }>): Logger {
  const quiet = () => undefined;
  const logger: Logger = { child: () => logger, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (msg, data) => errors.push({ msg, ...(data ? { data } : {}) }), fatal: quiet };
  return logger;
}

describe('a provisioning run whose step throws (a bug, not a failure value)', () => {
  it('still ends: failed with INTERNAL in the result, the event and the journal, and the stack in the log', async () => {
    const db = value(openDatabase(join(tempDir(), 'commissioner.db'), { create: true }));
    const vault = Vault.create(db, { method: 'passphrase', passphrase: 'pass phrase' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    const events = new EventBus();
    const finished: ProvisionResult[] = [];
    events.subscribe((channel, payload) => channel === 'provisioning.finished' && finished.push(payload as ProvisionResult));
    const registry = new Registry({ db, vault: () => vault, clock: () => 1_700_000_000_000, events, stationId: 'st1' });
    const { product } = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'm-', source: 'serial' }, destination: 'local' }));
    const journal = new Journal(db, () => 1_700_000_000_000);
    const errors: Array<{ msg: string; data?: Record<string, unknown> }> = [];
    const driver = { kind: 'framed', pipelines: true, close: () => undefined, identify: () => Promise.reject(new TypeError('identify blew up')) } as unknown as DeviceDriver;
    // Only what a run that throws in its first step reaches; the rest is never called.
    const deps = { db, registry, journal, ledger: new Ledger(db), events, logger: recordingLogger(errors), clock: () => 1_700_000_000_000, vault: () => vault, withDriver: (_request, body) => body(driver) } as Partial<PipelineDeps> as PipelineDeps;

    const result = value(await new Pipeline(deps).run({ port: '/dev/pts/77', productKey: product.productKey, driver: 'framed', baud: 115200, ifProvisioned: 'skip', unmatched: 'naming-rule', verifyTimeoutMs: 1000, samples: 1, operator: 'test' }));

    expect(result).toMatchObject({ outcome: 'failed', port: '/dev/pts/77', error: { code: 'INTERNAL' } });
    expect(result.error?.message).toContain('/dev/pts/77');
    expect(finished).toEqual([result]);
    expect(db.prepare('SELECT status, error_code AS code FROM provisioning_runs WHERE id = ?').get(result.runId)).toEqual({ status: 'failed', code: 'INTERNAL' });
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.data?.error)).toContain('identify blew up');
    db.close();
  });
});
