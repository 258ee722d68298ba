import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../electron/provisioning/journal';
import { openDatabase, type Db } from '../../electron/registry/database';
import { tempDir } from '../helpers/cli';

function journalDb(): { db: Db; journal: Journal; clock: { now: number } } {
  const opened = openDatabase(join(tempDir('commissioner-journal-'), 'commissioner.db'), { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const clock = { now: 1_000 };
  return { db: opened.value, journal: new Journal(opened.value, () => clock.now), clock };
}

const steps = (db: Db, runId: number) => db.prepare('SELECT step, status, ms, updated_at AS at FROM provisioning_steps WHERE run_id = ? ORDER BY step').all(runId);

describe('provisioning journal', () => {
  it("writes a step's start and what it learnt in the commit of its end", () => {
    const { db, journal, clock } = journalDb();
    const run = journal.begin('/dev/pts/9', 'Pk7fE2aQ', 'device-secret');
    journal.step(run.id, 'credential', 'running');
    clock.now = 1_040;
    journal.credential(run.id, { fingerprint: 'cd'.repeat(32) });
    expect(steps(db, run.id)).toEqual([]);
    expect(journal.run(run.id)?.credential).toEqual({});
    clock.now = 1_050;
    journal.step(run.id, 'credential', 'done', 'ok', 50);
    expect(steps(db, run.id)).toEqual([{ step: 'credential', status: 'done', ms: 50, at: 1_050 }]);
    expect(journal.run(run.id)?.credential).toEqual({ fingerprint: 'cd'.repeat(32) });
  });

  it('the end of a step that is safely done again (identify, verify) goes in with the next commit; its failure at once', () => {
    const { db, journal, clock } = journalDb();
    const run = journal.begin('/dev/pts/9', 'Pk7fE2aQ', 'device-secret');
    journal.step(run.id, 'identify', 'running');
    journal.identify(run.id, { serial: 'SN-1', mac: '02:00:00:00:00:01', model: 'M', firmware: '1.4.2' });
    clock.now = 1_020;
    journal.step(run.id, 'identify', 'done', 'ok', 20);
    expect(steps(db, run.id)).toEqual([]);
    expect(journal.run(run.id)?.serial).toBeNull();
    journal.step(run.id, 'plan', 'running');
    journal.planned(run.id, 'B-SN-1');
    clock.now = 1_030;
    journal.step(run.id, 'plan', 'done', 'ok', 10);
    expect(steps(db, run.id)).toEqual([
      { step: 'identify', status: 'done', ms: 20, at: 1_020 },
      { step: 'plan', status: 'done', ms: 10, at: 1_030 },
    ]);
    expect(journal.run(run.id)).toMatchObject({ serial: 'SN-1', deviceKey: 'B-SN-1' });
    journal.step(run.id, 'verify', 'running');
    journal.step(run.id, 'verify', 'failed', 'PROVISION_VERIFY_FAILED: no login', 5);
    expect(steps(db, run.id)).toContainEqual({ step: 'verify', status: 'failed', ms: 5, at: 1_030 });
  });

  it('a step that is left unfinished has its start written with the run\'s finish, stamped when it started', () => {
    const { db, journal, clock } = journalDb();
    const run = journal.begin('/dev/pts/9', 'Pk7fE2aQ', 'device-secret');
    journal.step(run.id, 'credential', 'running');
    journal.credential(run.id, { fingerprint: 'ab'.repeat(32) });
    clock.now = 1_300;
    journal.finish(run.id, 'failed', { code: 'SERIAL_PORT_VANISHED', message: 'unplugged' });
    expect(steps(db, run.id)).toEqual([{ step: 'credential', status: 'running', ms: 0, at: 1_000 }]);
    expect(journal.run(run.id)?.credential).toEqual({ fingerprint: 'ab'.repeat(32) });
  });

  it('a step that ends without writing anything else still leaves its row, and the run closes with it', () => {
    const { db, journal, clock } = journalDb();
    const run = journal.begin('/dev/pts/9', 'Pk7fE2aQ', 'device-secret');
    journal.step(run.id, 'verify', 'running');
    clock.now = 1_200;
    journal.step(run.id, 'verify', 'failed', 'PROVISION_VERIFY_FAILED: no login', 200);
    journal.step(run.id, 'commit', 'running');
    journal.finish(run.id, 'failed', { code: 'PROVISION_VERIFY_FAILED', message: 'no login' });
    expect(steps(db, run.id)).toEqual([
      { step: 'commit', status: 'running', ms: 0, at: 1_200 },
      { step: 'verify', status: 'failed', ms: 200, at: 1_200 },
    ]);
    expect(journal.run(run.id)?.status).toBe('failed');
  });
});
