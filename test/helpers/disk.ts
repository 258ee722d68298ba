import { expect } from 'vitest';
import type { Db } from '../../electron/registry/database';

/**
 * A disk that fills up, for SQLite: the connection may not grow the database past the pages it
 * has now (`max_page_count`), and the next row written to `table` comes with a megabyte of other
 * data (a TEMP trigger, this connection only) that needs new pages, so SQLite answers SQLITE_FULL
 * to that write whatever room is left inside the pages. Free pages in the file would be used
 * before it grows: the database must have none (asserted). `free()` gives the space back.
 */
export function fillDisk(db: Db, table: string, on: 'INSERT' | 'UPDATE' = 'INSERT'): { free(): void } {
  // What fills the disk lives in the same database, made while there is room.
  db.exec('CREATE TABLE IF NOT EXISTS main.disk_filler (bytes BLOB)');
  const room = db.pragma('max_page_count', { simple: true }) as number;
  expect(db.pragma('freelist_count', { simple: true })).toBe(0);
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  db.exec(`CREATE TEMP TRIGGER disk_fills AFTER ${on} ON main.${table} BEGIN INSERT INTO main.disk_filler VALUES (zeroblob(1048576)); END`);
  return {
    free() {
      db.exec('DROP TRIGGER temp.disk_fills');
      db.pragma(`max_page_count = ${room}`);
    },
  };
}
