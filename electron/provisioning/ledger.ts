import { createHash } from 'node:crypto';
import type { LedgerEntry } from '../../shared/contract/provisioning';
import { err, ok, type Result } from '../../shared/result';
import type { Db } from '../registry/database';
import { canonicalJson } from './canonical-json';

/** What a run contributes to the ledger; the ledger adds seq, the chain hashes. */
export type LedgerFields = Omit<LedgerEntry, 'seq' | 'prevHash' | 'hash'>;

const GENESIS = '0'.repeat(64);

/** One device's entries, read by the index of migration 011 (it is on these very expressions). */
export const DEVICE_ENTRIES =
  "SELECT seq, entry, prev_hash, hash FROM provisioning_ledger WHERE json_extract(entry, '$.productKey') = ? AND json_extract(entry, '$.deviceKey') = ? ORDER BY seq DESC LIMIT ?";

function entryHash(prevHash: string, entryText: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(entryText).digest('hex');
}

interface Row {
  seq: number;
  entry: string;
  prev_hash: string;
  hash: string;
}

function entryOf(row: Row): LedgerEntry {
  return { ...(JSON.parse(row.entry) as LedgerFields), seq: row.seq, prevHash: row.prev_hash, hash: row.hash };
}

/**
 * The provisioning ledger (issue 9 "Records"): append-only (SQLite triggers refuse UPDATE and
 * DELETE) and hash-chained, so `ledger verify` finds any entry changed, removed or inserted
 * behind the application's back. Entries carry fingerprints, never secrets.
 */
export class Ledger {
  /** Every provisioned device appends: prepared once, not per entry. */
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      head: db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM provisioning_ledger ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare<[number, string, string, string]>('INSERT INTO provisioning_ledger (seq, entry, prev_hash, hash) VALUES (?, ?, ?, ?)'),
    };
  }

  private head(): { seq: number; hash: string } {
    return this.statements.head.get() ?? { seq: 0, hash: GENESIS };
  }

  /** Appends one entry (inside the caller's transaction when there is one). */
  append(fields: LedgerFields): LedgerEntry {
    const head = this.head();
    const seq = head.seq + 1;
    const text = canonicalJson({ ...fields, seq });
    const hash = entryHash(head.hash, text);
    this.statements.insert.run(seq, text, head.hash, hash);
    return { ...fields, seq, prevHash: head.hash, hash };
  }

  entries(): LedgerEntry[] {
    return this.db.prepare<[], Row>('SELECT seq, entry, prev_hash, hash FROM provisioning_ledger ORDER BY seq').all().map(entryOf);
  }

  /** One device's entries, newest first, at most `limit`. */
  entriesOf(productKey: string, deviceKey: string, limit: number): LedgerEntry[] {
    return this.db.prepare<[string, string, number], Row>(DEVICE_ENTRIES).all(productKey, deviceKey, limit).map(entryOf);
  }

  /** Walks the chain from the start: every entry must hash to its stored hash and link to the one before. */
  verify(): Result<{ entries: number; head: string }> {
    let previous = GENESIS;
    let expectedSeq = 1;
    const rows = this.db.prepare<[], Row>('SELECT seq, entry, prev_hash, hash FROM provisioning_ledger ORDER BY seq').iterate();
    for (const row of rows) {
      if (row.seq !== expectedSeq) return err('LEDGER_TAMPERED', `Ledger entry ${expectedSeq} is missing (the next entry is ${row.seq}).`);
      if (row.prev_hash !== previous) return err('LEDGER_TAMPERED', `Ledger entry ${row.seq} does not link to entry ${row.seq - 1}: an entry before it was changed or removed.`);
      let bodySeq: unknown;
      try {
        bodySeq = (JSON.parse(row.entry) as { seq?: unknown }).seq;
      } catch {
        return err('LEDGER_TAMPERED', `Ledger entry ${row.seq} is not valid JSON.`);
      }
      if (bodySeq !== row.seq || entryHash(previous, row.entry) !== row.hash) return err('LEDGER_TAMPERED', `Ledger entry ${row.seq} was changed after it was written (its hash does not match).`);
      previous = row.hash;
      expectedSeq++;
    }
    return ok({ entries: expectedSeq - 1, head: previous });
  }
}

const CSV_COLUMNS = ['seq', 'at', 'stationId', 'operator', 'runId', 'outcome', 'productKey', 'deviceKey', 'serial', 'mac', 'firmware', 'scheme', 'credentialFingerprint', 'checks', 'prevHash', 'hash'] as const;

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  // A leading = + - @ would run as a formula in a spreadsheet (CSV injection).
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** `ledger export --format csv|json`. The checks column of the CSV is a compact summary. */
export function exportLedger(entries: readonly LedgerEntry[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(entries, null, 2)}\n`;
  const rows = entries.map((entry) =>
    CSV_COLUMNS.map((column) => csvField(column === 'checks' ? entry.checks.map((check) => `${check.protocol}:${check.check}=${check.result}`).join(' ') : entry[column])).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\n')}\n`;
}
