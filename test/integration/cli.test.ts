import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCli, tempDir } from '../helpers/cli';

describe('commissioner CLI', () => {
  it('init is idempotent and reports the same station both times', () => {
    const data = tempDir();
    const first = runCli(['--data', data, '--json', 'init']);
    expect(first.status).toBe(0);
    const firstValue = first.json<{ ok: true; value: { created: boolean; stationId: string; schemaVersion: number } }>().value;
    expect(firstValue.created).toBe(true);
    const second = runCli(['--data', data, '--json', 'init']);
    expect(second.status).toBe(0);
    expect(second.json()).toEqual({ ok: true, value: { ...firstValue, created: false } });
    expect(statSync(data).mode & 0o777).toBe(0o700);
  });

  it('exits 2 with the usage on a bad flag, an unknown command or a bad option value', () => {
    for (const args of [['--bogus', 'version'], ['frobnicate'], ['--log-level', 'loud', 'version'], ['station', '--port', 'eighty']]) {
      const run = runCli(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/error|Usage/);
    }
  });

  it('prints one parseable JSON result line with --json', () => {
    const run = runCli(['--json', 'version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.json()).toMatchObject({ ok: true, value: { commissioner: expect.any(String), node: process.versions.node } });
  });

  it('refuses a wrong passphrase and leaves the vault as it was', () => {
    const data = tempDir();
    expect(runCli(['--data', data, 'init']).status).toBe(0);
    const before = readFileSync(join(data, 'commissioner.db'));
    const run = runCli(['--data', data, '--json', 'init'], { env: cliEnv({ COMMISSIONER_PASSPHRASE: 'not the passphrase' }) });
    expect(run.status).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
    expect(runCli(['--data', data, 'init']).status).toBe(0);
    expect(readFileSync(join(data, 'commissioner.db')).length).toBe(before.length);
  });

  it('says VAULT_LOCKED when headless with no passphrase', () => {
    const env = cliEnv();
    delete env.COMMISSIONER_PASSPHRASE;
    const run = runCli(['--data', tempDir(), '--json', 'init'], { env });
    expect(run.status).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
  });

  it('reports an unwritable data folder', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'not a folder');
    const run = runCli(['--data', join(file, 'data'), '--json', 'init']);
    expect(run.status).toBe(1);
    expect(run.json()).toMatchObject({ ok: false, error: { code: 'DATA_DIR_UNWRITABLE' } });
  });

  it('refuses a corrupt or foreign database file without touching it', () => {
    for (const [name, content] of [
      ['garbage', Buffer.from('this is not an sqlite database at all, just text '.repeat(200))],
      ['foreign', null],
    ] as const) {
      const data = tempDir();
      const path = join(data, 'commissioner.db');
      if (content) writeFileSync(path, content);
      else {
        const sqlite = runCliSqlite(path, 'CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (1);');
        expect(sqlite).toBe(0);
      }
      const before = readFileSync(path);
      const run = runCli(['--data', data, '--json', 'init']);
      expect(run.status, name).toBe(1);
      expect(run.json()).toMatchObject({ ok: false, error: { code: 'DATABASE_CORRUPT' } });
      expect(readFileSync(path).equals(before), name).toBe(true);
    }
  });

  it('doctor reports each check and fails when the folder is unusable', () => {
    const data = tempDir();
    expect(runCli(['--data', data, 'init']).status).toBe(0);
    const run = runCli(['--data', data, '--json', 'doctor']);
    expect(run.status).toBe(0);
    const checks = run.json<{ value: { name: string; status: string }[] }>().value;
    expect(checks.map((check) => check.name)).toEqual(expect.arrayContaining(['data folder', 'database', 'vault', 'serial permissions', 'socat']));
    const file = join(data, 'plain-file');
    writeFileSync(file, '');
    expect(runCli(['--data', file, 'doctor']).status).toBe(1);
  });
});

function runCliSqlite(path: string, sql: string): number | null {
  return spawnSync('sqlite3', [path, sql]).status;
}
