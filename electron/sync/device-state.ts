import type { DeviceSyncState } from '../../shared/contract/sync';
import type { Db } from '../registry/database';
import type { TargetRow } from './store';

interface LatestRow {
  seq: number;
  revision: number;
}

interface DeliveryRow {
  state: Exclude<DeviceSyncState['state'], 'none' | 'pending' | 'done'>;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  updated_at: number;
}

/**
 * Where one device's latest outbox change stands with each target (the device detail view): the
 * delivery row when there is one, else done when the target's cursor passed it, else pending.
 * Reads only; uses the outbox index by entity of migration 007.
 */
export function deviceSyncStates(db: Db, targets: readonly Pick<TargetRow, 'name' | 'kind' | 'cursor'>[], device: { productKey: string; deviceKey: string }): DeviceSyncState[] {
  const entityId = `${device.productKey}/${device.deviceKey}`;
  const latest = db.prepare<[string], LatestRow>("SELECT seq, revision FROM outbox WHERE entity = 'device' AND entity_id = ? ORDER BY seq DESC LIMIT 1").get(entityId);
  const delivery = db.prepare<[string, number], DeliveryRow>('SELECT state, attempts, error_code, error_message, updated_at FROM sync_deliveries WHERE target = ? AND seq = ?');
  const mapping = db.prepare<[string, string], string>("SELECT cloud_id FROM sync_mappings WHERE target = ? AND entity = 'device' AND local_id = ?").pluck();
  return targets.map((target) => {
    const base = { target: target.name, kind: target.kind, cloudId: mapping.get(target.name, entityId) ?? null };
    if (!latest) return { ...base, state: 'none', seq: null, revision: null, attempts: 0, error: null, updatedAt: null };
    const row = delivery.get(target.name, latest.seq);
    const facts = { ...base, seq: latest.seq, revision: latest.revision };
    if (!row) return { ...facts, state: latest.seq <= target.cursor ? 'done' : 'pending', attempts: 0, error: null, updatedAt: null };
    const error = row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null;
    return { ...facts, state: row.state, attempts: row.attempts, error, updatedAt: row.updated_at };
  });
}
