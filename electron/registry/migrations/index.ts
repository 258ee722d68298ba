import type Database from 'better-sqlite3';
import { foundation } from './001-foundation';
import { registry } from './002-registry';
import { hub } from './003-hub';
import { pki } from './004-pki';
import { serial } from './005-serial';
import { provisioning } from './006-provisioning';
import { sync } from './007-sync';
import { pulledTrees } from './008-pulled-trees';
import { dashboardIndexes } from './009-dashboard-indexes';
import { registryScale } from './010-registry-scale';
import { ledgerDeviceIndex } from './011-ledger-device-index';
import { deviceIdentityIndex } from './012-device-identity-index';

export interface Migration {
  /** Numbered from 1 without gaps; the database's `user_version` is the last one applied. */
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

/** Every migration in order. A new one gets the next number and a test that upgrades an old database. */
export const migrations: readonly Migration[] = [foundation, registry, hub, pki, serial, provisioning, sync, pulledTrees, dashboardIndexes, registryScale, ledgerDeviceIndex, deviceIdentityIndex];

for (const [index, migration] of migrations.entries()) {
  if (migration.version !== index + 1) throw new Error(`migration ${migration.name} must be number ${index + 1}`);
}
