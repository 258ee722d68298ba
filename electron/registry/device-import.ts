import type { Device } from '../../shared/contract/devices';
import type { Db } from './database';

/** The fields that differ from one new device to the next. */
export type NewDeviceFields = Pick<Device, 'productKey' | 'deviceKey' | 'name' | 'serial' | 'mac' | 'firmware' | 'destination' | 'credentialSource' | 'timezone'>;
/** The rest of a new device before its revision: the same for every device of one import. */
export type PlannedStart = Omit<Device, keyof NewDeviceFields | 'revision'>;

/**
 * The writes of a CSV import (issue 4 "Scale": 100k rows at ≥ 0.5× plain inserts): the new
 * device rows and their outbox rows, each as one set-based statement over a JSON array, instead
 * of two statements per row. They are exactly what `Registry.saveDevice` writes one device at a
 * time: revisions come from the outbox counter in file order, the payload is the device at its
 * revision, and the idempotency key and dependency are formed the same way
 * (test/integration/registry-api.test.ts compares an imported device with a created one).
 */
export class DeviceImportWriter {
  private readonly insertDevices;
  private readonly insertOutbox;

  constructor(
    db: Db,
    private readonly stationId: string,
  ) {
    this.insertDevices = db.prepare(
      `INSERT INTO devices (product_key, device_key, name, serial, mac, firmware, destination, credential_source, timezone,
                            state, cert_fingerprint, attributes, tags, desired_config, created_at, updated_at, revision)
       SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8,
              @state, @certFingerprint, @attributes, @tags, @desiredConfig, @createdAt, @updatedAt, @firstRevision + key
       FROM json_each(@rows)`, // file order, without the sort an ORDER BY key would add; the revision comes from key either way
    );
    this.insertOutbox = db.prepare(
      `INSERT INTO outbox (seq, entity, entity_id, operation, revision, idempotency_key, depends_on, payload, created_at)
       SELECT revision, 'device', product_key || '/' || device_key, 'create', revision,
              @stationId || ':device:' || product_key || '/' || device_key || ':' || revision,
              json_array('product:' || product_key),
              json_object('productKey', product_key, 'deviceKey', device_key, 'name', name, 'serial', serial, 'mac', mac, 'firmware', firmware,
                'destination', destination, 'credentialSource', credential_source, 'timezone', timezone, 'state', state, 'certFingerprint', cert_fingerprint,
                'attributes', json(attributes), 'tags', json(tags), 'desiredConfig', json(desired_config), 'createdAt', created_at, 'updatedAt', updated_at,
                'revision', revision),
              @createdAt
       FROM devices WHERE id BETWEEN @firstId AND @lastId ORDER BY id`,
    );
  }

  /**
   * Inserts the devices in order at revisions `firstRevision`, `firstRevision + 1`, … with one
   * outbox `create` row each, in the caller's transaction (which read `firstRevision` from the outbox).
   */
  createAll(devices: readonly NewDeviceFields[], start: PlannedStart, firstRevision: number): void {
    if (devices.length === 0) return;
    const rows = JSON.stringify(devices.map((d) => [d.productKey, d.deviceKey, d.name, d.serial, d.mac, d.firmware, d.destination, d.credentialSource, d.timezone]));
    const inserted = this.insertDevices.run({
      rows,
      firstRevision,
      ...start,
      attributes: JSON.stringify(start.attributes),
      tags: JSON.stringify(start.tags),
      desiredConfig: JSON.stringify(start.desiredConfig),
    });
    // One statement in one transaction: the new rows took consecutive ids after the largest one.
    const lastId = Number(inserted.lastInsertRowid);
    const recorded = this.insertOutbox.run({ stationId: this.stationId, createdAt: start.createdAt, firstId: lastId - devices.length + 1, lastId });
    if (inserted.changes !== devices.length || recorded.changes !== devices.length) throw new Error('a device import wrote a partial batch');
  }
}
