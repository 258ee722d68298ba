import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../test/helpers/cli';
import { enqueue, openSyncDb } from '../test/helpers/sync-db';
import { addEnosTarget, seedCloud, startFakeEnos, syncService } from '../test/helpers/sync-enos';
import { rateRatio, report, timeRatio } from './report';

/**
 * Sync of 10,000 devices to the fake EnOS gateway with a configured limit (issue 10): the rate
 * achieved as a fraction of the limit (target 0.95–1.0, never above), duplicates (target 0), and
 * the time from a restart after kill -9 to the first delivery, against the anchor of the same
 * child process merely starting.
 */
const DEVICES = 10_000;
const LIMIT = 400;
/** The child runs the TypeScript sources as they are (jiti, a dev dependency), as the test helpers do in vitest. */
const JITI = resolve(__dirname, '../node_modules/jiti/lib/jiti-cli.mjs');
const CHILD = resolve(__dirname, '../test/fixtures/sync-child.ts');

function child(dir: string) {
  const started = Date.now();
  const process_ = spawn(process.execPath, [JITI, CHILD, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<number>((done) => process_.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && done(Date.now())));
  const exited = new Promise<number | null>((done) => process_.on('exit', (code) => done(code)));
  return { process: process_, started, ready, exited };
}

it('syncs 10,000 devices at the configured limit, without duplicates, and resumes after kill -9', async () => {
  // The gateway allows a little more burst than the client uses, for arrival jitter on loopback.
  const fake = await startFakeEnos({ rate: { perSecond: LIMIT, burst: 30 } });
  seedCloud(fake);
  const dir = tempDir('commissioner-sync-bench-');
  const setup = openSyncDb(dir);
  const service = syncService(setup.db, setup.vault);
  addEnosTarget(service, fake, { rate: LIMIT, burst: 10, concurrency: 8 });
  setup.db.transaction(() => {
    enqueue(setup.db, { entity: 'product', entityId: 'pD000001', payload: { productKey: 'pD000001', destination: 'enos' } });
    for (let index = 0; index < DEVICES; index++) enqueue(setup.db, { entity: 'device', entityId: `pD000001/b-${index}`, dependsOn: ['product:pD000001'], payload: { destination: 'enos' } });
  })();
  setup.db.close();

  const first = child(dir);
  await first.ready;
  await new Promise((done) => setTimeout(done, 3000));
  first.process.kill('SIGKILL');
  await first.exited;

  const creates: number[] = [];
  fake.onMutation((action) => action.startsWith('createDevice') && creates.push(Date.now()));
  const second = child(dir);
  const readyAt = await second.ready;
  expect(await second.exited).toBe(0);
  fake.onMutation(undefined);

  const resumeMs = creates[0]! - second.started;
  const achieved = ((creates.length - 1) * 1000) / (creates.at(-1)! - creates[0]!);
  const duplicates = fake.counters.deviceCreates - DEVICES;
  const missing = Array.from({ length: DEVICES }, (_, index) => `b-${index}`).filter((key) => !fake.findDevice('pD000001', key)).length;
  report({ bench: 'sync', case: 'enos-10k-rate', value: Number(achieved.toFixed(1)), unit: 'devices/s', anchor: { name: 'configured limit', value: LIMIT }, ratio: rateRatio(achieved, LIMIT), target: '0.95–1.0, never above', overLimit: fake.counters.overLimit });
  report({ bench: 'sync', case: 'enos-10k-duplicates', value: duplicates, unit: 'devices', target: '0', missing });
  report({ bench: 'sync', case: 'resume-after-kill', value: resumeMs, unit: 'ms', anchor: { name: 'child start to ready', value: readyAt - second.started }, ratio: timeRatio(resumeMs, readyAt - second.started) });
  await fake.stop();
  expect(duplicates).toBe(0);
  expect(missing).toBe(0);
  expect(fake.counters.overLimit).toBe(0);
});
