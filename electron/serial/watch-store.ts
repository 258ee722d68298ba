import type { Db } from '../registry/database';

/** The watched paths and globs a technician added, kept in the data folder's database. */
export class WatchStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  all(): string[] {
    return this.db.prepare('SELECT pattern FROM serial_watch ORDER BY added_at, pattern').pluck().all() as string[];
  }

  add(patterns: readonly string[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO serial_watch (pattern, added_at) VALUES (?, ?)');
    const now = this.clock();
    this.db.transaction(() => patterns.forEach((pattern) => insert.run(pattern, now)))();
  }
}
