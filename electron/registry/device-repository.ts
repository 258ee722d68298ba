import { DeviceStateSchema, type Device, type DeviceFilterQuery, type DeviceListQuery, type DevicePage, type DeviceState, type DeviceStats } from '../../shared/contract/devices';
import type { Db } from './database';

interface DeviceRow {
  id: number;
  product_key: string;
  device_key: string;
  name: string;
  serial: string | null;
  mac: string | null;
  firmware: string | null;
  destination: string;
  credential_source: Device['credentialSource'];
  state: Device['state'];
  cert_fingerprint: string | null;
  attributes: string;
  tags: string;
  desired_config: string;
  timezone: string;
  revision: number;
  created_at: number;
  updated_at: number;
}

export type StoredDevice = Device & { id: number };

const COLUMNS =
  'id, product_key, device_key, name, serial, mac, firmware, destination, credential_source, state, cert_fingerprint, attributes, tags, desired_config, timezone, revision, created_at, updated_at';
const INSERT = `INSERT INTO devices (product_key, device_key, name, serial, mac, firmware, destination, credential_source, state, cert_fingerprint, attributes, tags, desired_config, timezone, revision, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const UPDATE = `UPDATE devices SET name = @name, serial = @serial, mac = @mac, firmware = @firmware, destination = @destination, credential_source = @credentialSource,
  state = @state, cert_fingerprint = @certFingerprint, attributes = @attributes, tags = @tags, desired_config = @desiredConfig, timezone = @timezone,
  revision = @revision, updated_at = @updatedAt WHERE id = @id`;

/** A MAC without its usual separators, lower-case, as migration 012 indexes it. */
export function macDigits(mac: string): string {
  return mac.replace(/[:.\- ]/g, '').toLowerCase();
}

/** Devices with this exact serial, or this MAC in any of its usual spellings: both by index (002, 012). */
export const WITH_IDENTITY = `SELECT ${COLUMNS} FROM devices WHERE serial = @serial
  UNION SELECT ${COLUMNS} FROM devices WHERE mac IS NOT NULL AND lower(replace(replace(replace(replace(mac, ':', ''), '-', ''), '.', ''), ' ', '')) = @mac`;

/** Each sort's ORDER BY term (names sort case-insensitively, on migration 010's NOCASE indexes) and the field its cursor carries. */
const SORT_COLUMN = { deviceKey: 'device_key', name: 'name COLLATE NOCASE', createdAt: 'created_at' } as const;
const CURSOR_FIELD = { deviceKey: 'device_key', name: 'name', createdAt: 'created_at' } as const;

function toDevice(row: DeviceRow): StoredDevice {
  return {
    id: row.id,
    productKey: row.product_key,
    deviceKey: row.device_key,
    name: row.name,
    serial: row.serial,
    mac: row.mac,
    firmware: row.firmware,
    destination: row.destination,
    credentialSource: row.credential_source,
    state: row.state,
    certFingerprint: row.cert_fingerprint,
    attributes: JSON.parse(row.attributes) as Device['attributes'],
    tags: JSON.parse(row.tags) as Device['tags'],
    desiredConfig: JSON.parse(row.desired_config) as Device['desiredConfig'],
    timezone: row.timezone,
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The public shape, without the row id. */
export function publicDevice(device: StoredDevice): Device {
  const { id: _id, ...rest } = device;
  return rest;
}

function storedValues(device: Device) {
  return { ...device, attributes: JSON.stringify(device.attributes), tags: JSON.stringify(device.tags), desiredConfig: JSON.stringify(device.desiredConfig) };
}

/** SQL for `devices` and `device_topology`; no transactions, no outbox (the Registry does those). */
export class DeviceRepository {
  private readonly byKey;
  private readonly byId;
  private readonly byDeviceKey;
  private readonly stateByKey;
  private readonly withIdentityStatement;
  private readonly insertStatement;
  private readonly updateStatement;

  constructor(private readonly db: Db) {
    this.byKey = db.prepare<[string, string], DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE product_key = ? AND device_key = ?`);
    this.byId = db.prepare<[number], DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE id = ?`);
    this.byDeviceKey = db.prepare<[string], DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE device_key = ? LIMIT 2`);
    this.stateByKey = db.prepare<[string, string], DeviceState>('SELECT state FROM devices WHERE product_key = ? AND device_key = ?').pluck();
    this.withIdentityStatement = db.prepare<[{ serial: string | null; mac: string | null }], DeviceRow>(WITH_IDENTITY);
    this.insertStatement = db.prepare(INSERT);
    // Prepared once: the hub's deferred first-login writes update a device per login.
    this.updateStatement = db.prepare(UPDATE);
  }

  get(productKey: string, deviceKey: string): StoredDevice | undefined {
    const row = this.byKey.get(productKey, deviceKey);
    return row ? toDevice(row) : undefined;
  }

  /** Devices whose serial is `serial` or whose MAC is `mac` in any usual spelling (an empty one matches nothing). */
  withIdentity(serial: string, mac: string): StoredDevice[] {
    return this.withIdentityStatement.all({ serial: serial || null, mac: mac ? macDigits(mac) : null }).map(toDevice);
  }

  /** The state alone, no JSON column parsed: the hub reads it on every login. */
  state(productKey: string, deviceKey: string): DeviceState | undefined {
    return this.stateByKey.get(productKey, deviceKey);
  }

  /** Every device's keys and state, at most `limit` (the hub's login check starts with them). */
  states(limit: number): Array<{ productKey: string; deviceKey: string; state: DeviceState }> {
    return this.db.prepare<[number], { productKey: string; deviceKey: string; state: DeviceState }>('SELECT product_key AS productKey, device_key AS deviceKey, state FROM devices LIMIT ?').all(limit);
  }

  getById(id: number): StoredDevice | undefined {
    const row = this.byId.get(id);
    return row ? toDevice(row) : undefined;
  }

  /** Up to two devices with this deviceKey in any product (two means it is ambiguous). */
  withDeviceKey(deviceKey: string): StoredDevice[] {
    return this.byDeviceKey.all(deviceKey).map(toDevice);
  }

  // Positional binding, no intermediate object: creating devices is the registry's most frequent write.
  insert(device: Device): number {
    const d = device;
    const values = [d.productKey, d.deviceKey, d.name, d.serial, d.mac, d.firmware, d.destination, d.credentialSource, d.state, d.certFingerprint];
    const json = [JSON.stringify(d.attributes), JSON.stringify(d.tags), JSON.stringify(d.desiredConfig)];
    return Number(this.insertStatement.run(...values, ...json, d.timezone, d.revision, d.createdAt, d.updatedAt).lastInsertRowid);
  }

  /** Every deviceKey of a product, to check a large import in one query. */
  deviceKeys(productKey: string): Set<string> {
    return new Set(this.db.prepare<[string], string>('SELECT device_key FROM devices WHERE product_key = ?').pluck().all(productKey));
  }

  update(id: number, device: Device): void {
    this.updateStatement.run({ ...storedValues(device), id });
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
  }

  /** The WHERE terms and parameters of a filter (product, state, substring). */
  private filterTerms(query: DeviceFilterQuery): { where: string[]; params: unknown[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.productKey) {
      where.push('product_key = ?');
      params.push(query.productKey);
    }
    if (query.state) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.query) {
      const like = `%${query.query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      where.push("(device_key LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR serial LIKE ? ESCAPE '\\' OR mac LIKE ? ESCAPE '\\')");
      params.push(like, like, like, like);
    }
    return { where, params };
  }

  /** How many devices a filter matches. */
  count(query: DeviceFilterQuery): number {
    const { where, params } = this.filterTerms(query);
    return this.db.prepare<unknown[], number>(`SELECT count(*) FROM devices ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).pluck().get(...params)!;
  }

  /**
   * One page in keyset order (sort column, id): each page costs the same however deep it is,
   * served by the indexes of migration 002. With `offset`, the window at that position instead
   * (its cost grows with the offset: the index is walked up to it).
   */
  list(query: DeviceListQuery): DevicePage {
    const column = SORT_COLUMN[query.sort];
    const { where, params } = this.filterTerms(query);
    const descending = query.order === 'desc';
    if (query.after) {
      const cursor = decodeCursor(query.after);
      if (cursor) {
        // The single-column bound lets SQLite seek the index: a row value with a COLLATE term alone is scanned.
        where.push(`${column} ${descending ? '<=' : '>='} ? AND (${column}, id) ${descending ? '<' : '>'} (?, ?)`);
        params.push(cursor[0], cursor[0], cursor[1]);
      }
    }
    const direction = descending ? 'DESC' : 'ASC';
    const sql = `SELECT ${COLUMNS} FROM devices ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${column} ${direction}, id ${direction} LIMIT ? OFFSET ?`;
    const rows = this.db.prepare<unknown[], DeviceRow>(sql).all(...params, query.limit + 1, query.offset ?? 0);
    const page = rows.slice(0, query.limit).map(toDevice);
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
    return {
      items: page.map(publicDevice),
      next: last ? encodeCursor([last[CURSOR_FIELD[query.sort]], last.id]) : null,
    };
  }

  /** One scan of the (state, product_key) index of migration 009, folded into both tallies. */
  stats(): DeviceStats {
    const byState = Object.fromEntries(DeviceStateSchema.options.map((state) => [state, 0])) as DeviceStats['byState'];
    const byProduct: Record<string, number> = {};
    let total = 0;
    const groups = this.db.prepare<[], { state: DeviceState; productKey: string; count: number }>('SELECT state, product_key AS productKey, count(*) AS count FROM devices GROUP BY state, product_key').all();
    for (const { state, productKey, count } of groups) {
      byState[state] += count;
      byProduct[productKey] = (byProduct[productKey] ?? 0) + count;
      total += count;
    }
    return { total, byState, byProduct };
  }

  all(productKey?: string): StoredDevice[] {
    const rows = productKey
      ? this.db.prepare<[string], DeviceRow>(`SELECT ${COLUMNS} FROM devices WHERE product_key = ? ORDER BY product_key, device_key`).all(productKey)
      : this.db.prepare<[], DeviceRow>(`SELECT ${COLUMNS} FROM devices ORDER BY product_key, device_key`).all();
    return rows.map(toDevice);
  }

  // Gateway topology (§6.4).
  gatewayId(subId: number): number | undefined {
    return this.db.prepare<[number], number>('SELECT gateway_id FROM device_topology WHERE sub_id = ?').pluck().get(subId);
  }

  subDeviceIds(gatewayId: number): number[] {
    return this.db.prepare<[number], number>('SELECT sub_id FROM device_topology WHERE gateway_id = ? ORDER BY sub_id').pluck().all(gatewayId);
  }

  link(gatewayId: number, subId: number, now: number): void {
    this.db.prepare('INSERT INTO device_topology (sub_id, gateway_id, created_at) VALUES (?, ?, ?)').run(subId, gatewayId, now);
  }

  unlink(subId: number): void {
    this.db.prepare('DELETE FROM device_topology WHERE sub_id = ?').run(subId);
  }
}

/** Cursors are opaque to callers: base64url JSON `[sortValue, id]`. */
function encodeCursor(value: [string | number, number]): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeCursor(text: string): [string | number, number] | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number') {
      return [value[0], value[1]];
    }
  } catch {
    // fall through: an unreadable cursor is refused by the caller
  }
  return undefined;
}

export function isValidCursor(text: string): boolean {
  return decodeCursor(text) !== undefined;
}
