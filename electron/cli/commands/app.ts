import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import type { Command } from 'commander';
import type { AppInfo } from '../../../shared/contract';
import { ok, type Result } from '../../../shared/result';
import { dataPaths, ensureWritableDataDir } from '../../core/data-dir';
import { initDataFolder } from '../../core/init';
import { findLiveOwner } from '../../core/owner';
import { passphraseUnlock } from '../../core/unlock';
import { Vault } from '../../pki/vault';
import { openDatabase } from '../../registry/database';
import { appVersion } from '../../app/version';
import { globalOptions, withApi } from '../context';
import { printResult } from '../output';

export function registerAppCommands(program: Command): void {
  program
    .command('init')
    .description('create the data folder, the database and the secrets vault (idempotent)')
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const result = await initDataFolder(options.dataDir, () => passphraseUnlock({ confirm: true }));
      printResult(result, options.json, (report) =>
        [
          report.created ? `Initialized ${report.dataDir}` : `Already initialized: ${report.dataDir}`,
          `  database  ${report.database} (schema ${report.schemaVersion})`,
          `  station   ${report.stationId}`,
        ].join('\n'),
      );
    });

  program
    .command('version')
    .description('print the versions of Commissioner and its runtime')
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const versions = { commissioner: appVersion(), node: process.versions.node, electron: process.versions.electron ?? null, platform: `${process.platform}-${process.arch}` };
      printResult(ok(versions), options.json, (value) => Object.entries(value).map(([name, version]) => `${name.padEnd(13)}${version ?? '-'}`).join('\n'));
    });

  program
    .command('info')
    .description('show what the services report about this installation (through a live owner if one runs)')
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('app.info', {}));
      printResult(result, options.json, (info: AppInfo) => `${info.host} ${info.appVersion} station ${info.stationId}\ndata ${info.dataDir}`);
    });

  program
    .command('doctor')
    .description('check the data folder, the vault, serial port permissions and the system peers')
    .action(async (_options, command: Command) => {
      const options = globalOptions(command);
      const checks = runDoctor(options.dataDir);
      const failed = checks.some((check) => check.status === 'fail');
      const result: Result<DoctorCheck[]> = ok(checks);
      printResult(result, options.json, (value) =>
        value.map((check) => `${check.status.toUpperCase().padEnd(5)} ${check.name}: ${check.detail}${check.fix ? `\n      fix: ${check.fix}` : ''}`).join('\n'),
      );
      if (failed) process.exitCode = 1;
    });
}

export interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function serialCheck(): DoctorCheck {
  if (process.platform !== 'linux') return { name: 'serial permissions', status: 'ok', detail: 'checked by the OS when a port opens' };
  const ports = readdirSync('/dev').filter((name) => /^tty(USB|ACM|S)\d+$/.test(name)).map((name) => `/dev/${name}`);
  const denied = ports.filter((path) => {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (denied.length === 0) return { name: 'serial permissions', status: 'ok', detail: `${ports.length} serial device(s), all readable and writable` };
  return {
    name: 'serial permissions',
    status: 'warn',
    detail: `no read/write access to ${denied.slice(0, 4).join(', ')}${denied.length > 4 ? ' …' : ''}`,
    fix: 'sudo usermod -aG dialout "$USER" (then log out and in), or add a udev rule granting your group access',
  };
}

/** Runtime peers: what the product itself uses on this machine (tests check their own peers). */
const PEERS: { binary: string; purpose: string; apt: string }[] = [
  { binary: 'socat', purpose: 'virtual devices on pseudo-terminals (`commissioner sim --pty`)', apt: 'socat' },
  { binary: 'lp', purpose: 'printing labels to the OS print queue', apt: 'cups-client' },
];

export function runDoctor(dataDir: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const writable = ensureWritableDataDir(dataDir);
  checks.push(
    writable.ok
      ? { name: 'data folder', status: 'ok', detail: `${dataDir} is writable` }
      : { name: 'data folder', status: 'fail', detail: writable.error.message, fix: 'choose a writable folder with --data or COMMISSIONER_DATA' },
  );
  const { database } = dataPaths(dataDir);
  if (!existsSync(database)) {
    checks.push({ name: 'database', status: 'warn', detail: 'not initialized', fix: 'commissioner init' });
  } else {
    const opened = openDatabase(database, { create: false });
    if (!opened.ok) {
      checks.push({ name: 'database', status: 'fail', detail: opened.error.message });
    } else {
      const version = opened.value.pragma('user_version', { simple: true }) as number;
      checks.push({ name: 'database', status: 'ok', detail: `schema ${version}` });
      checks.push(
        Vault.exists(opened.value)
          ? { name: 'vault', status: 'ok', detail: 'present (unlocked on use)' }
          : { name: 'vault', status: 'fail', detail: 'missing', fix: 'commissioner init' },
      );
      opened.value.close();
    }
  }
  const owner = findLiveOwner(dataDir);
  checks.push({ name: 'owner', status: 'ok', detail: owner ? `pid ${owner.pid} serves the bridge on ${owner.host}:${owner.bridge}` : 'none running' });
  checks.push(serialCheck());
  for (const peer of PEERS) {
    checks.push(
      onPath(peer.binary)
        ? { name: peer.binary, status: 'ok', detail: peer.purpose }
        : { name: peer.binary, status: 'warn', detail: `not found; needed for ${peer.purpose}`, fix: `sudo apt-get install ${peer.apt}` },
    );
  }
  return checks;
}
