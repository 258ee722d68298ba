import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_ID_TAG } from '../../electron/sync/targets/enos/target';
import { CLI, cliEnv, initDataDir } from '../helpers/cli';
import { openSyncDb } from '../helpers/sync-db';
import { addEnosTarget, makeLocalWork, seedCloud, startFakeEnos, syncService } from '../helpers/sync-enos';


/** mulberry32: a small seeded generator, so a failing kill schedule can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `commissioner sync run --once` from the built CLI, as a user runs it. */
function startChild(dir: string): { child: ChildProcess; exited: Promise<number | null>; ready: Promise<void> } {
  const child = spawn(process.execPath, [CLI, '--data', dir, '--json', 'sync', 'run', '--once'], { stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv() });
  // Ready once it speaks: its first progress line.
  const ready = new Promise<void>((done) => child.stdout!.on('data', () => done()));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((done) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(`sync child failed: ${stderr}\n`);
      done(code);
    }),
  );
  return { child, exited, ready };
}

function pendingIn(dir: string): number {
  const { db, vault } = openSyncDb(dir);
  const status = syncService(db, vault).status('enos');
  db.close();
  return status.ok ? status.value[0]!.pending : Number.NaN;
}

const SEED = Number(process.env.SYNC_KILL_SEED ?? 20261125);
const KILLS = 22;

describe('sync survives kill -9 (seeded schedule)', () => {
  const fakes: Awaited<ReturnType<typeof startFakeEnos>>[] = [];
  afterAll(async () => Promise.all(fakes.map((fake) => fake.stop())));

  it(`never duplicates and never loses an item across ${KILLS} kills (seed ${SEED})`, async () => {
    const random = seeded(SEED);
    const fake = await startFakeEnos({ rate: { perSecond: 400, burst: 30 } });
    fakes.push(fake);
    const tree = seedCloud(fake);
    const dir = initDataDir();
    const setup = openSyncDb(dir);
    const service = syncService(setup.db, setup.vault);
    addEnosTarget(service, fake, { rate: 40, burst: 4 });
    expect((await service.pull('enos')).ok).toBe(true);
    const work = makeLocalWork(setup.db, tree.treeId, 200);
    const outboxRows = setup.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get() as number;
    setup.db.close();

    let kills = 0;
    let killsAfterCreate = 0;
    let finished = false;
    while (!finished) {
      const { child, exited, ready } = startChild(dir);
      if (kills < KILLS) {
        // Half the kills land inside a create: the cloud made the device or node, its answer never arrives.
        if (random() < 0.5) {
          let countdown = 1 + Math.floor(random() * 6);
          fake.onMutation((action) => {
            if (action.startsWith('create') && --countdown === 0 && child.exitCode === null) {
              child.kill('SIGKILL');
              killsAfterCreate++;
            }
          });
        } else {
          const delay = Math.floor(random() * 400);
          void ready.then(() => setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), delay));
        }
      }
      const code = await exited;
      fake.onMutation(undefined);
      if (code === 0) finished = pendingIn(dir) === 0;
      else if (child.signalCode === 'SIGKILL') kills++;
      else throw new Error(`sync child exited with ${code}`);
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(killsAfterCreate).toBeGreaterThan(0);

    // Nothing lost: every item reached the cloud, and the station says so.
    for (const ref of work.devices) expect(fake.findDevice(...(ref.split('/') as [string, string])), ref).toBeDefined();
    const after = openSyncDb(dir);
    const status = syncService(after.db, after.vault).status('enos');
    expect(status.ok && status.value[0]).toMatchObject({ pending: 0, failed: 0, conflicts: 0 });
    expect(status.ok && status.value[0]!.sent + status.value[0]!.skipped).toBe(outboxRows);
    const room = after.db.prepare("SELECT cloud_id FROM sync_mappings WHERE entity = 'asset_node' AND local_id = 'n-room'").pluck().get() as string;
    expect(fake.nodes.get(room)?.tags[LOCAL_ID_TAG]).toBe('n-room');
    expect(fake.nodes.get(fake.findDevice('pD000001', 'dev-0020')!.assetId)?.parentAssetId).toBe(room);
    expect(fake.topology.get(fake.findDevice('pGw00001', 'gw-1')!.assetId)?.size).toBe(3);
    // Nothing duplicated: one create per device and per node, whatever was retried.
    expect(fake.counters.deviceCreates).toBe(work.devices.length);
    expect(fake.counters.nodeCreates).toBe(work.nodes.length);
    expect(fake.duplicateNodes(LOCAL_ID_TAG)).toBe(0);
    expect(fake.counters.overLimit).toBe(0);
    after.db.close();
  }, 180_000);
});
