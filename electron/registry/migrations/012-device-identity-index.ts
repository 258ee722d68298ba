import type { Migration } from './index';

/**
 * The provisioning plan step finds the registry devices a connected device's serial or MAC names
 * (architecture §6 step 2) on every run. Serial has an index (002); a MAC is stored as it was
 * written, so this one is on the MAC without its usual separators, lower-case: the expression
 * `DeviceRepository.withIdentity` queries.
 */
export const deviceIdentityIndex: Migration = {
  version: 12,
  name: 'device-identity-index',
  up: `
    CREATE INDEX devices_by_mac_digits ON devices (lower(replace(replace(replace(replace(mac, ':', ''), '-', ''), '.', ''), ' ', ''))) WHERE mac IS NOT NULL;
  `,
};
