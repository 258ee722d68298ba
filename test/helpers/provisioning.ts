import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type * as MigrationsModule from '../../electron/registry/migrations';
import type { Migration } from '../../electron/registry/migrations';
import { provisioning } from '../../electron/registry/migrations/006-provisioning';
import { sync } from '../../electron/registry/migrations/007-sync';
import type { SimDevice } from './sim';

/**
 * The migration list the provisioning tests run with: the listed migrations plus 006 (and 007,
 * which sync needs) while the index does not list them yet (it must stay contiguous, and 005
 * belongs to the serial issue). Until 005 lands, an empty stand-in takes its number in tests only.
 */
export function withProvisioningMigration(listed: readonly Migration[], wanted: readonly Migration[] = [provisioning, sync]): Migration[] {
  const list = [...listed];
  for (const migration of wanted) {
    if (list.some((entry) => entry.version === migration.version)) continue;
    for (let version = list.length + 1; version < migration.version; version++) list.push({ version, name: `test-stand-in-${version}`, up: '' });
    list.push(migration);
  }
  return list;
}

/**
 * The factory of `vi.mock('…/registry/migrations', withProvisioningMigrations)`: the real module
 * with 006 and 007 listed (see above), for tests and benches that open services in-process.
 */
export async function withProvisioningMigrations(importOriginal: <T>() => Promise<T>): Promise<typeof MigrationsModule> {
  const original = await importOriginal<typeof MigrationsModule>();
  return { ...original, migrations: withProvisioningMigration(original.migrations) };
}

/** The MAC a sim reports for a serial (electron/sim/run.ts: 02 + the first five bytes of SHA-256). */
export function simMac(serial: string): string {
  const bytes = Buffer.concat([Buffer.from([0x02]), createHash('sha256').update(serial).digest().subarray(0, 5)]);
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** A raw label printer on loopback (TCP 9100 stands in): every connection's bytes, as received. */
export function zplListener(): Promise<{ server: Server; port: number; received: Buffer[]; close(): Promise<void> }> {
  const received: Buffer[] = [];
  const server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => received.push(Buffer.concat(chunks)));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, received, close: () => new Promise<void>((done) => server.close(() => done())) }),
    ),
  );
}

/** A committed sim whose application is still connecting may not exit on SIGTERM: then it is pulled (SIGKILL). */
export async function stopSim(device: SimDevice): Promise<void> {
  const stopped = device.stop();
  const timer = setTimeout(() => device.process.child.kill('SIGKILL'), 3000);
  await stopped;
  clearTimeout(timer);
}
