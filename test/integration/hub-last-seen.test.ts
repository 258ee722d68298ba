import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LastSeenLog } from '../../electron/hub/last-seen';
import type { SessionView } from '../../electron/hub/session';
import { migrate, openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { openSqlite } from '../../electron/registry/sqlite';
import { tempDir } from '../helpers/cli';
import { fillDisk } from '../helpers/disk';
import { quietLogger } from '../helpers/sim';

const view = (deviceKey: string, connectedAt: number): SessionView => ({
  productKey: 'pKdemo01',
  deviceKey,
  clientId: `${deviceKey}|securemode=2,signmethod=sha256,timestamp=1|`,
  listener: 'mqtt',
  address: '127.0.0.1',
  secureMode: 2,
  tls: null,
  connectedAt,
  lastSeen: connectedAt,
  via: null,
  subDevices: [],
});

describe('hub last seen (migration 003)', () => {
  it('a database at schema 2 gains hub_last_seen and keeps its registry rows', () => {
    const path = join(tempDir(), 'v2.db');
    const old = openSqlite(path);
    migrate(old, migrations.slice(0, 2));
    old.prepare("INSERT INTO meta (key, value) VALUES ('station_id', 's1')").run();
    old.close();
    const upgraded = openDatabase(path, { create: false });
    expect(upgraded.ok).toBe(true);
    if (!upgraded.ok) return;
    const tables = upgraded.value.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'hub_last_seen'").all();
    expect(tables).toEqual([{ name: 'hub_last_seen' }]);
    expect(upgraded.value.prepare("SELECT value FROM meta WHERE key = 'station_id'").get()).toEqual({ value: 's1' });
    upgraded.value.close();
  });

  it('keeps the latest session per device, written in one batch', () => {
    const db = openSqlite(join(tempDir(), 'hub.db'));
    migrate(db, migrations);
    const log = new LastSeenLog(db, quietLogger());
    log.record(view('dev-001', 1000), true, undefined, 1000);
    log.record(view('dev-001', 1000), false, 'keepalive-timeout', 5000);
    log.record(view('dev-002', 2000), true, undefined, 2000);
    expect(db.prepare('SELECT COUNT(*) AS n FROM hub_last_seen').get()).toEqual({ n: 0 });
    expect(log.list({ productKey: 'pKdemo01', deviceKey: 'dev-001' }, 10)).toEqual([
      { productKey: 'pKdemo01', deviceKey: 'dev-001', connectedAt: 1000, disconnectedAt: 5000, reason: 'keepalive-timeout', listener: 'mqtt', address: '127.0.0.1', via: null },
    ]);
    expect(log.list(null, 10).map((row) => [row.deviceKey, row.disconnectedAt])).toEqual([
      ['dev-001', 5000],
      ['dev-002', null],
    ]);
    db.close();
  });

  it('writes once a burst of session changes is over, and at the latest 10 s after it began', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const db = openSqlite(join(tempDir(), 'hub.db'));
      migrate(db, migrations);
      const log = new LastSeenLog(db, quietLogger());
      const rows = () => (db.prepare('SELECT COUNT(*) AS n FROM hub_last_seen').get() as { n: number }).n;
      log.record(view('dev-001', 1000), true, undefined, 1000);
      vi.advanceTimersByTime(600);
      log.record(view('dev-002', 1600), true, undefined, 1600);
      vi.advanceTimersByTime(900);
      expect(rows()).toBe(0);
      vi.advanceTimersByTime(200);
      expect(rows()).toBe(2);

      // A burst that never pauses for a second is written 10 s after its first change.
      for (let at = 0; at < 12_000; at += 500) {
        log.record(view(`dev-${at}`, at), true, undefined, at);
        vi.advanceTimersByTime(500);
        if (at === 9000) expect(rows()).toBe(2);
      }
      expect(rows()).toBe(2 + 20);
      db.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('on a full disk keeps the changes queued, the newest per device, and writes them once there is room', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const db = openSqlite(join(tempDir(), 'hub.db'));
    try {
      migrate(db, migrations);
      const log = new LastSeenLog(db, quietLogger());
      const rows = () => db.prepare('SELECT device_key AS deviceKey, disconnected_at AS disconnectedAt FROM hub_last_seen ORDER BY device_key').all();
      const disk = fillDisk(db, 'hub_last_seen');
      log.record(view('dev-001', 1000), true, undefined, 1000);
      log.record(view('dev-002', 2000), true, undefined, 2000);
      expect(() => log.flush()).not.toThrow();
      expect(rows()).toEqual([]);
      log.record(view('dev-001', 1000), false, 'disconnected', 3000);
      disk.free();
      vi.advanceTimersByTime(10_000);
      expect(rows()).toEqual([
        { deviceKey: 'dev-001', disconnectedAt: 3000 },
        { deviceKey: 'dev-002', disconnectedAt: null },
      ]);
    } finally {
      db.close();
      vi.useRealTimers();
    }
  });

  it('refuses a listener the schema does not know', () => {
    const db = openSqlite(join(tempDir(), 'hub.db'));
    migrate(db, migrations);
    const log = new LastSeenLog(db, quietLogger());
    log.record({ ...view('dev-001', 1), listener: 'telnet' as never }, true, undefined, 1);
    expect(() => log.flush()).toThrow(/CHECK constraint/);
    db.close();
  });
});
