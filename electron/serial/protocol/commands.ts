/** Command ids, statuses and enumerations of the commissioning protocol (§5, §6 of the spec). */
export const PROTOCOL_VERSION = 1;
/** Frames up to this size are understood by every device; larger ones only after `hello` (§3). */
export const BASELINE_MAX_FRAME = 256;

export const COMMANDS = {
  hello: 0x01,
  identify: 0x02,
  'config.read': 0x10,
  'config.write': 0x11,
  'secret.write': 0x12,
  'secret.forget': 0x13,
  'keypair.generate': 0x14,
  'hashes.read': 0x15,
  'transfer.begin': 0x20,
  'transfer.chunk': 0x21,
  'transfer.end': 0x22,
  'connectivity.test': 0x30,
  commit: 0x40,
  reboot: 0x41,
  'factory.reset': 0x42,
  'log.config': 0x50,
  'log.line': 0x51,
} as const;
export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = new Map<number, CommandName>(Object.entries(COMMANDS).map(([name, id]) => [id, name as CommandName]));

export const FRAME_TYPES = { request: 0x01, response: 0x02, event: 0x03 } as const;
export type FrameType = keyof typeof FRAME_TYPES;

export const STATUSES = {
  ok: 0,
  unknownCommand: 1,
  badRequest: 2,
  unsupportedVersion: 3,
  frameTooLarge: 4,
  refused: 5,
  notReady: 6,
  hashMismatch: 7,
  outOfOrder: 8,
  storageFull: 9,
  failed: 10,
} as const;
export type StatusName = keyof typeof STATUSES;
export const STATUS_NAMES = new Map<number, StatusName>(Object.entries(STATUSES).map(([name, id]) => [id, name as StatusName]));

/** Bits of `capabilities` (§6.2). */
export const CAPABILITIES = {
  onDeviceKeygen: 1 << 0,
  certificateStorage: 1 << 1,
  firmwareUpdate: 1 << 2,
  logStream: 1 << 3,
  connectivityTest: 1 << 4,
} as const;
export type CapabilityName = keyof typeof CAPABILITIES;

/** Bits of `protocols`, and the `protocol` value of an endpoint. */
export const PROTOCOL_BITS = { mqtt: 1 << 0, http: 1 << 1, coap: 1 << 2 } as const;
export const ENDPOINT_PROTOCOLS = { mqtt: 1, http: 2, coap: 3 } as const;
export type EndpointProtocol = keyof typeof ENDPOINT_PROTOCOLS;

export const SECRET_KINDS = { deviceSecret: 1, productSecret: 2 } as const;
export type SecretKind = keyof typeof SECRET_KINDS;

export const TRANSFER_TARGETS = { certificateChain: 1, privateKey: 2, firmware: 3 } as const;
export type TransferTarget = keyof typeof TRANSFER_TARGETS;

export const HASH_ITEMS = { config: 1, deviceSecret: 2, productSecret: 3, certificateChain: 4, privateKey: 5, publicKey: 6, firmware: 7 } as const;
export type HashItem = keyof typeof HASH_ITEMS;

export const DEVICE_STATES = { factory: 0, staged: 1, committed: 2 } as const;
export type DeviceState = keyof typeof DEVICE_STATES;

export const LOG_LEVELS = { off: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;
export type DeviceLogLevel = keyof typeof LOG_LEVELS;

/** Reverse lookup of a small enumeration. */
export function nameOf<T extends Record<string, number>>(table: T, value: number): keyof T | undefined {
  return (Object.keys(table) as (keyof T)[]).find((name) => table[name] === value);
}

export function bitsToNames<T extends Record<string, number>>(table: T, bits: number): (keyof T)[] {
  return (Object.keys(table) as (keyof T)[]).filter((name) => (bits & (table[name] as number)) !== 0);
}

export function namesToBits<T extends Record<string, number>>(table: T, names: readonly (keyof T)[]): number {
  return names.reduce((bits, name) => bits | (table[name] as number), 0);
}
