import type { Migration } from './index';

/** Watched serial paths and globs (pseudo-terminals, fixture slots) survive a restart of the station. */
export const serial: Migration = {
  version: 5,
  name: 'serial',
  up: `
    CREATE TABLE serial_watch (
      pattern  TEXT PRIMARY KEY,
      added_at INTEGER NOT NULL
    ) STRICT;
  `,
};
