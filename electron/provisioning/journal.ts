import type { Outcome, PipelineStep, ProvisioningToday, StepResult } from '../../shared/contract/provisioning';
import { localMidnight } from '../../shared/model/local-day';
import type { Db } from '../registry/database';

/** What the credential step made, kept so a resumed run can tell whether the device holds it. */
export interface CredentialNote {
  /** SHA-256 (hex) of the secret or of the certificate chain written: never the secret. */
  fingerprint?: string;
  certificateSerial?: string;
  keySource?: 'csr' | 'host';
  /** The device was created at its EnOS destination (its deviceSecret came from the cloud). */
  cloudCreated?: boolean;
}

export interface RunRow {
  id: number;
  port: string;
  productKey: string;
  serial: string | null;
  mac: string | null;
  model: string | null;
  firmware: string | null;
  deviceKey: string | null;
  scheme: string;
  status: 'running' | Outcome;
  credential: CredentialNote;
  startedAt: number;
  finishedAt: number | null;
}

interface StoredRun extends Omit<RunRow, 'credential'> {
  credential: string;
}

const RUN_COLUMNS = `id, port, product_key AS productKey, serial, mac, model, firmware, device_key AS deviceKey, scheme, status, credential, started_at AS startedAt, finished_at AS finishedAt`;

const toRun = (row: StoredRun): RunRow => ({ ...row, credential: JSON.parse(row.credential) as CredentialNote });

/**
 * Steps whose successful end needs no commit of its own: a crash before the run's next commit only
 * means the step is done again, and it leaves nothing a redo would not find (identify reads the
 * device; verification resets the station activation first). Their end goes in with that commit.
 */
const REDONE_SAFELY: ReadonlySet<PipelineStep> = new Set(['identify', 'verify']);

/**
 * The pipeline's journal (architecture §6): one row per run, one per step with its state. A run
 * left `running` (a crash, an unplug) is found again by product and serial and continued.
 *
 * A step's start and what it learnt (identity, deviceKey, credential note) are written in the same
 * commit as its end, not in commits of their own: each commit is a WAL fsync on the event loop every
 * slot shares. A crash before that commit leaves the run as it was before the step, and every step
 * checks the device before writing, so the step is simply done again.
 */
export class Journal {
  /** Writes not yet committed, by run, in order: they go in with the run's next step end (or finish). */
  private readonly pending = new Map<number, (() => void)[]>();
  /** Every run writes these: prepared once, not per call (SQLite compiles each prepare). */
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {
    this.statements = {
      begin: db.prepare<[string, string, string, number]>("INSERT INTO provisioning_runs (port, product_key, scheme, status, started_at) VALUES (?, ?, ?, 'running', ?)"),
      run: db.prepare<[number], StoredRun>(`SELECT ${RUN_COLUMNS} FROM provisioning_runs WHERE id = ?`),
      unfinished: db.prepare<[string, string, number], StoredRun>(`SELECT ${RUN_COLUMNS} FROM provisioning_runs WHERE product_key = ? AND serial = ? AND id != ? AND status IN ('running', 'failed') AND device_key IS NOT NULL ORDER BY id DESC LIMIT 1`),
      lastProvisioned: db.prepare<[string, string], StoredRun>(`SELECT ${RUN_COLUMNS} FROM provisioning_runs WHERE product_key = ? AND device_key = ? AND status = 'provisioned' ORDER BY id DESC LIMIT 1`),
      identify: db.prepare<[string, string, string, string, number]>('UPDATE provisioning_runs SET serial = ?, mac = ?, model = ?, firmware = ? WHERE id = ?'),
      planned: db.prepare<[string, number]>('UPDATE provisioning_runs SET device_key = ? WHERE id = ?'),
      credential: db.prepare<[string, number]>('UPDATE provisioning_runs SET credential = ? WHERE id = ?'),
      upsertStep: db.prepare<[number, PipelineStep, string, string, number, number]>(
        `INSERT INTO provisioning_steps (run_id, step, status, detail, ms, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step) DO UPDATE SET status = excluded.status, detail = excluded.detail, ms = excluded.ms, updated_at = excluded.updated_at`,
      ),
      finish: db.prepare<[string, string | null, string | null, number, number]>('UPDATE provisioning_runs SET status = ?, error_code = ?, error_message = ?, finished_at = ? WHERE id = ?'),
    };
  }

  begin(port: string, productKey: string, scheme: string): RunRow {
    const id = Number(this.statements.begin.run(port, productKey, scheme, this.clock()).lastInsertRowid);
    return this.run(id)!;
  }

  run(id: number): RunRow | undefined {
    const row = this.statements.run.get(id);
    return row ? toRun(row) : undefined;
  }

  /** The latest unfinished or failed run of this device other than `except`: what a new run resumes. */
  unfinished(productKey: string, serial: string, except: number): RunRow | undefined {
    const row = this.statements.unfinished.get(productKey, serial, except);
    return row ? toRun(row) : undefined;
  }

  /** The latest successful run of this device, if any. */
  lastProvisioned(productKey: string, deviceKey: string): RunRow | undefined {
    const row = this.statements.lastProvisioned.get(productKey, deviceKey);
    return row ? toRun(row) : undefined;
  }

  /** Runs started at or after `since` (default: the station's local midnight), by status: an index-only scan of migration 009's (started_at, status). */
  startedSince(since = localMidnight(this.clock())): ProvisioningToday {
    const counts = { running: 0, provisioned: 0, failed: 0, skipped: 0, held: 0 };
    const groups = this.db.prepare<[number], { status: RunRow['status']; count: number }>('SELECT status, count(*) AS count FROM provisioning_runs WHERE started_at >= ? GROUP BY status').all(since);
    for (const { status, count } of groups) counts[status] += count;
    const started = groups.reduce((sum, group) => sum + group.count, 0);
    const decided = counts.provisioned + counts.failed;
    return { since, started, ...counts, successRate: decided === 0 ? null : counts.provisioned / decided };
  }

  identify(id: number, identity: { serial: string; mac: string; model: string; firmware: string }): void {
    this.defer(id, () => this.statements.identify.run(identity.serial, identity.mac, identity.model, identity.firmware, id));
  }

  planned(id: number, deviceKey: string): void {
    this.defer(id, () => this.statements.planned.run(deviceKey, id));
  }

  credential(id: number, note: CredentialNote): void {
    const stored = JSON.stringify(note);
    this.defer(id, () => this.statements.credential.run(stored, id));
  }

  /** A step started (written with its end) or ended (see REDONE_SAFELY). */
  step(id: number, step: PipelineStep, status: StepResult['status'] | 'running', detail = '', ms = 0): void {
    const at = this.clock();
    const row = () => this.upsertStep(id, step, status, detail, ms, at);
    if (status === 'running' || (status !== 'failed' && REDONE_SAFELY.has(step))) this.defer(id, row);
    else this.write(id, row);
  }

  private defer(id: number, write: () => void): void {
    const writes = this.pending.get(id);
    if (writes) writes.push(write);
    else this.pending.set(id, [write]);
  }

  private upsertStep(id: number, step: PipelineStep, status: StepResult['status'] | 'running', detail: string, ms: number, at: number): void {
    this.statements.upsertStep.run(id, step, status, detail, ms, at);
  }

  /** One commit: the run's pending writes, then `body`. */
  private write(id: number, body: () => void): void {
    this.db.transaction(() => {
      for (const pending of this.pending.get(id) ?? []) pending();
      body();
    })();
    this.pending.delete(id);
  }

  /** Steps already done in a run, by name. */
  doneSteps(id: number): Set<PipelineStep> {
    const rows = this.db.prepare<[number], { step: PipelineStep }>("SELECT step FROM provisioning_steps WHERE run_id = ? AND status IN ('done', 'reused')").all(id);
    return new Set(rows.map((row) => row.step));
  }

  finish(id: number, status: Outcome, error: { code: string; message: string } | null): void {
    this.write(id, () => this.statements.finish.run(status, error?.code ?? null, error?.message ?? null, this.clock(), id));
  }

  /** A run superseded by the one that resumed it is closed as failed (it stays in the journal). */
  supersede(id: number, by: number): void {
    this.db.prepare("UPDATE provisioning_runs SET status = 'failed', error_code = 'CONFLICT', error_message = ?, finished_at = ? WHERE id = ? AND status = 'running'").run(`resumed by run ${by}`, this.clock(), id);
  }
}
