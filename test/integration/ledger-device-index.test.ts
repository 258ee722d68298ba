import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_ENTRIES, Ledger, type LedgerFields } from '../../electron/provisioning/ledger';
import { openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { ledgerDeviceIndex } from '../../electron/registry/migrations/011-ledger-device-index';
import { tempDir } from '../helpers/cli';

const entry = (deviceKey: string, runId: number): LedgerFields => ({
  at: runId,
  stationId: 'st',
  operator: 'op',
  runId,
  outcome: 'provisioned',
  productKey: 'pk1',
  deviceKey,
  serial: null,
  mac: null,
  firmware: null,
  scheme: 'device-secret',
  credentialFingerprint: null,
  steps: [],
  checks: [],
});

describe('migration 011 (ledger entries by device)', () => {
  it('upgrades a ledger written before it; one device’s entries are then read by index, newest first', () => {
    const path = join(tempDir(), 'ledger.db');
    const old = openDatabase(path, { create: true, migrations: migrations.filter((migration) => migration.version < ledgerDeviceIndex.version) });
    if (!old.ok) throw new Error(old.error.message);
    const before = new Ledger(old.value);
    for (let runId = 1; runId <= 6; runId++) before.append(entry(runId % 2 ? 'odd' : 'even', runId));
    old.value.close();

    const upgraded = openDatabase(path, { create: false, migrations });
    if (!upgraded.ok) throw new Error(upgraded.error.message);
    const db = upgraded.value;
    const ledger = new Ledger(db);
    expect(ledger.entriesOf('pk1', 'odd', 2).map((found) => found.runId)).toEqual([5, 3]);
    expect(ledger.entriesOf('pk1', 'even', 10).map((found) => found.runId)).toEqual([6, 4, 2]);
    expect(ledger.verify()).toMatchObject({ ok: true, value: { entries: 6 } });
    const plan = db
      .prepare<[string, string, number], { detail: string }>(`EXPLAIN QUERY PLAN ${DEVICE_ENTRIES}`)
      .all('pk1', 'odd', 2)
      .map((row) => row.detail)
      .join('; ');
    expect(plan).toMatch(/USING INDEX provisioning_ledger_by_device/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    db.close();
  });
});
