import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeEnos } from '../fixtures/fake-enos/server';
import { cliEnv, initDataDir, runCli, startCli } from '../helpers/cli';
import { APP, seedCloud, startFakeEnos } from '../helpers/sync-enos';

const addEnos = (dir: string, url: string, extra: string[] = []) => ['--data', dir, 'sync', 'target', 'add', 'enos', '--url', url, '--org', APP.orgId, '--app-key', APP.appKey, ...extra];

describe('commissioner sync: bad input', () => {
  let dir: string;
  beforeAll(() => {
    dir = initDataDir();
  });

  it('never takes the app secret as a flag (usage error, exit 2)', () => {
    const run = runCli([...addEnos(dir, 'http://127.0.0.1:9'), '--app-secret', APP.appSecret]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option '--app-secret'");
  });

  it('says where the app secret comes from when neither the environment nor a terminal gives it', () => {
    const run = runCli(['--json', ...addEnos(dir, 'http://127.0.0.1:9')]);
    expect(run.status).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'SYNC_APP_SECRET_MISSING' } });
  });

  it('refuses a target URL that is not http(s)', () => {
    const run = runCli(['--json', '--data', dir, 'sync', 'target', 'add', 'hub', '--url', 'ftp://hub', '--token-env', 'HUB_TOKEN']);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('refuses a pool of zero devices and a conflict id that is not a number (exit 2)', () => {
    expect(runCli(['--data', dir, 'sync', 'pool', '--product', 'pD000001', '--count', '0']).status).toBe(2);
    expect(runCli(['--data', dir, 'sync', 'resolve', 'first', '--keep', 'local']).status).toBe(2);
    expect(runCli(['--data', dir, 'sync', 'resolve', '1', '--keep', 'both']).status).toBe(2);
  });
});

// The commands below read the sync tables, which the built CLI's databases have once migration
// 007 is listed (it needs 003–006 first; see the sync section of the README).

/** The fake gateway answers from this process, so the CLI must run without blocking it. */
async function runCliAsync(args: string[], env: NodeJS.ProcessEnv) {
  const cli = startCli(args, { env });
  const status = await cli.exited();
  return { status, stdout: cli.stdout(), json: <T = Record<string, unknown>>() => JSON.parse(cli.stdout().trim().split('\n').at(-1)!) as T };
}

describe('commissioner sync against the fake EnOS gateway', () => {
  let fake: FakeEnos;
  let dir: string;
  const env = cliEnv({ COMMISSIONER_APP_SECRET: APP.appSecret });
  beforeAll(async () => {
    fake = await startFakeEnos();
    seedCloud(fake);
    dir = initDataDir();
  });
  afterAll(() => fake.stop());

  it('adds a target with its secret in the vault, pulls, pools, runs and reports status', async () => {
    const added = await runCliAsync(['--json', ...addEnos(dir, fake.url, ['--device-endpoint', 'mqtt://127.0.0.1:11883', '--rate', '100', '--burst', '10'])], env);
    expect(added.json()).toMatchObject({ ok: true, value: { name: 'enos', kind: 'enos', deviceEndpoints: ['mqtt://127.0.0.1:11883'] } });
    expect(added.stdout).not.toContain(APP.appSecret);
    const listed = await runCliAsync(['--json', '--data', dir, 'sync', 'target', 'list'], env);
    expect(listed.stdout).not.toContain(APP.appSecret);
    expect((await runCliAsync(['--json', '--data', dir, 'sync', 'pull'], env)).json()).toMatchObject({ ok: true, value: { products: 14, trees: 1 } });
    expect((await runCliAsync(['--json', '--data', dir, 'sync', 'pool', '--product', 'pD000003', '--count', '2'], env)).json()).toMatchObject({ ok: true, value: { created: [{ productKey: 'pD000003' }, { productKey: 'pD000003' }] } });
    expect((await runCliAsync(['--data', dir, 'device', 'create', '--product', 'pD000001', '--device-key', 'cli-dev-1'], env)).status).toBe(0);
    expect((await runCliAsync(['--json', '--data', dir, 'sync', 'run', '--once'], env)).json()).toMatchObject({ ok: true, value: [{ target: 'enos', failed: 0, conflicts: 0 }] });
    expect(fake.findDevice('pD000001', 'cli-dev-1')).toBeDefined();
    const status = (await runCliAsync(['--json', '--data', dir, 'sync', 'status'], env)).json<{ ok: true; value: { pending: number; failed: number }[] }>();
    expect(status.value[0]).toMatchObject({ pending: 0, failed: 0 });
    expect((await runCliAsync(['--json', '--data', dir, 'sync', 'target', 'remove', 'enos'], env)).json()).toEqual({ ok: true, value: { removed: 'enos' } });
    expect((await runCliAsync(['--json', '--data', dir, 'sync', 'status', '--target', 'enos'], env)).json()).toMatchObject({ ok: false, error: { code: 'SYNC_TARGET_NOT_FOUND' } });
  });

  it('claims each pool device once when three processes claim from a pool of two at the same time, and syncs the claims back', async () => {
    const claimDir = initDataDir();
    expect((await runCliAsync(['--json', ...addEnos(claimDir, fake.url, ['--rate', '100', '--burst', '10'])], env)).status).toBe(0);
    expect((await runCliAsync(['--data', claimDir, 'sync', 'pull'], env)).status).toBe(0);
    const pool = (await runCliAsync(['--json', '--data', claimDir, 'sync', 'pool', '--product', 'pD000004', '--count', '2'], env)).json<{ value: { created: { deviceKey: string }[] } }>();
    const pooled = pool.value.created.map((device) => device.deviceKey).sort();
    const creates = fake.counters.deviceCreates;
    type Claim = { ok: boolean; value?: { device: { deviceKey: string; serial: string } }; error?: { code: string } };
    const claims = await Promise.all(['SN-A', 'SN-B', 'SN-C'].map(async (serial) => (await runCliAsync(['--json', '--data', claimDir, 'sync', 'claim', '--product', 'pD000004', '--serial', serial], env)).json<Claim>()));
    expect(claims.filter((claim) => claim.ok).map((claim) => claim.value!.device.deviceKey).sort()).toEqual(pooled);
    expect(claims.filter((claim) => !claim.ok)).toEqual([{ ok: false, error: expect.objectContaining({ code: 'SYNC_POOL_EMPTY' }) }]);
    expect((await runCliAsync(['--json', '--data', claimDir, 'sync', 'run', '--once'], env)).json()).toMatchObject({ ok: true, value: [{ target: 'enos', failed: 0, conflicts: 0 }] });
    expect(fake.counters.deviceCreates).toBe(creates);
    for (const deviceKey of pooled) expect(fake.counters.mutations).toContain(`updateDevice pD000004/${deviceKey}`);
  });

  it('refuses a claim without a serial (exit 2) and names an empty pool', async () => {
    expect(runCli(['--data', dir, 'sync', 'claim', '--product', 'pD000004']).status).toBe(2);
    const claimDir = initDataDir();
    expect((await runCliAsync(['--json', ...addEnos(claimDir, fake.url)], env)).status).toBe(0);
    const empty = await runCliAsync(['--json', '--data', claimDir, 'sync', 'claim', '--product', 'pD000004', '--serial', 'SN-X'], env);
    expect(empty.status).toBe(1);
    expect(empty.json()).toMatchObject({ ok: false, error: { code: 'SYNC_POOL_EMPTY' } });
  });
});
