import { z } from 'zod';

/**
 * The one closed set of expected-failure codes. Every service, transport and CLI command
 * reports failures with one of these; the CLI maps them to exit code 1, usage errors to 2.
 * Add a code here together with its message below (the compiler enforces the pairing).
 */
export const ErrorCodeSchema = z.enum([
  // transport and contract
  'UNKNOWN_CHANNEL',
  'INVALID_INPUT',
  'INVALID_OUTPUT',
  'UNAUTHORIZED',
  'TIMEOUT',
  'DISCONNECTED',
  'INTERNAL',
  // data folder, database, vault
  'DATA_DIR_UNWRITABLE',
  'DATA_DIR_LOCKED',
  'NOT_INITIALIZED',
  'DATABASE_CORRUPT',
  'DATABASE_TOO_NEW',
  'VAULT_LOCKED',
  'VAULT_WRONG_PASSPHRASE',
  'VAULT_CORRUPT',
  // owner process
  'NO_OWNER',
  // generic domain failures
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'CONFLICT',
  'VALIDATION_FAILED',
  'UNSUPPORTED',
  // registry (issue 4)
  'INVALID_IDENTIFIER',
  'THING_MODEL_INVALID',
  'MODEL_VIOLATION',
  'CSV_INVALID',
  'ASSET_CYCLE',
  'NODE_NOT_EMPTY',
  // sync (issue 10)
  'SYNC_TARGET_NOT_FOUND',
  'SYNC_APP_SECRET_MISSING',
  'SYNC_AUTH_FAILED',
  'SYNC_CLOCK_SKEW',
  'SYNC_UNREACHABLE',
  'SYNC_RATE_LIMITED',
  'SYNC_BAD_RESPONSE',
  'SYNC_REJECTED',
  'SYNC_NOT_PULLED',
  'SYNC_CONFLICT',
  // certificates and vault (issue 7)
  'VAULT_PASSPHRASE_INVALID',
  'PKI_MALFORMED',
  'CSR_BAD_SIGNATURE',
  'CSR_SUBJECT_INVALID',
  'CERT_SUBJECT_TAKEN',
  'KEY_UNSUPPORTED',
  'CERT_NOT_VALID_NOW',
  'CA_NOT_INITIALIZED',
  'CA_KEY_MISSING',
  'CA_EXISTS',
  // hub (issue 5)
  'DEVICE_OFFLINE',
]);

export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** User-facing default text per code: what happened and, where there is one, what to do. */
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  UNKNOWN_CHANNEL: 'This request is not part of the contract.',
  INVALID_INPUT: 'The request was malformed.',
  INVALID_OUTPUT: 'The service produced an answer that does not match the contract.',
  UNAUTHORIZED: 'The session token is missing or wrong. Open the URL the station printed.',
  TIMEOUT: 'The operation timed out.',
  DISCONNECTED: 'The connection to the service was lost.',
  INTERNAL: 'An internal error occurred; the details are in the log.',
  DATA_DIR_UNWRITABLE: 'The data folder cannot be written. Check its permissions or choose another with --data.',
  DATA_DIR_LOCKED: 'Another Commissioner process owns this data folder.',
  NOT_INITIALIZED: 'The data folder is not initialized. Run `commissioner init` first.',
  DATABASE_CORRUPT: 'The database file is damaged or is not a Commissioner database. It was left untouched.',
  DATABASE_TOO_NEW: 'The database was written by a newer Commissioner. Upgrade this installation.',
  VAULT_LOCKED: 'The secrets vault is locked. Set COMMISSIONER_PASSPHRASE or run in a terminal to be asked.',
  VAULT_WRONG_PASSPHRASE: 'The vault passphrase is wrong.',
  VAULT_CORRUPT: 'The secrets vault is damaged and cannot be opened.',
  NO_OWNER: 'No Commissioner hub or station is running for this data folder. Start `commissioner station` or `commissioner hub`.',
  NOT_FOUND: 'Not found.',
  ALREADY_EXISTS: 'It already exists.',
  CONFLICT: 'The change conflicts with the current state.',
  VALIDATION_FAILED: 'The data failed validation.',
  UNSUPPORTED: 'This operation is not supported here.',
  INVALID_IDENTIFIER: 'The key is not a valid identifier: use 1–64 characters of A-Z a-z 0-9 _ - (productKey at most 20).',
  THING_MODEL_INVALID: 'The thing model is invalid; the message names each problem with its JSON path.',
  MODEL_VIOLATION: 'The values do not match the product\'s thing model; the message names each problem with its JSON path.',
  CSV_INVALID: 'The CSV file has bad rows; nothing was imported. Run with --dry-run to list every problem with its line number.',
  ASSET_CYCLE: 'A node cannot move under itself or one of its own descendants.',
  NODE_NOT_EMPTY: 'The node still has children or devices; move them first or delete with --cascade.',
  SYNC_TARGET_NOT_FOUND: 'No sync target has that name. List them with `commissioner sync target list`.',
  SYNC_APP_SECRET_MISSING: 'The EnOS app secret is missing. Set COMMISSIONER_APP_SECRET or run in a terminal to be asked.',
  SYNC_AUTH_FAILED: 'The sync target refused the credentials. Check the app key and secret (or the hub token) and add the target again.',
  SYNC_CLOCK_SKEW: "The sync target refused this computer's time. Set the system clock (NTP) and retry.",
  SYNC_UNREACHABLE: 'The sync target could not be reached or dropped the connection; the item will be retried.',
  SYNC_RATE_LIMITED: 'The sync target asked to slow down (HTTP 429); the item will be retried after the time it named.',
  SYNC_BAD_RESPONSE: 'The sync target answered with something that is not the expected JSON (an HTML page, a truncated or wrong body); the item will be retried.',
  SYNC_REJECTED: 'The sync target rejected the item; the message carries its code. Fix the item, then retry it.',
  SYNC_NOT_PULLED: 'The item refers to a product or tree the target does not have. Run `commissioner sync pull` and use pulled products and trees.',
  SYNC_CONFLICT: 'The target holds a different version of this item. Resolve it with `commissioner sync resolve ID --keep local|cloud`.',
  VAULT_PASSPHRASE_INVALID: 'The new vault passphrase is refused: use at least 8 characters, different from the current one.',
  PKI_MALFORMED: 'The certificate, request or key could not be parsed as PEM or DER.',
  CSR_BAD_SIGNATURE: 'The certificate request is not signed by its own key (damaged or tampered).',
  CSR_SUBJECT_INVALID: 'The certificate request subject is not what EnOS requires: CN = the deviceKey, and C, ST, L, O, OU present.',
  CERT_SUBJECT_TAKEN: 'Another device already holds a certificate with this common name (deviceKey).',
  KEY_UNSUPPORTED: 'The key type or size is not allowed: use ECC P-256 or RSA-2048 signed with SHA-256.',
  CERT_NOT_VALID_NOW: 'The certificate is expired or not yet valid.',
  CA_NOT_INITIALIZED: 'This station has no certificate authority yet. Run `commissioner ca init` or `commissioner ca import`.',
  CA_KEY_MISSING: 'The CA certificate comes without its private key; import the key too (PEM key file or PKCS#12).',
  CA_EXISTS: 'This station already has a certificate authority.',
  DEVICE_OFFLINE: 'The device is not connected to the hub. Connect it, or give a pending TTL so the command waits for its next login.',
};
