import type { KeyProtector } from '../pki/vault';

/** The part of Electron's safeStorage the vault uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/**
 * The OS keystore as a vault key protector, or null where it would be weak: Linux without a
 * keyring falls back to a hard-coded key ("basic_text"), so the app asks for a passphrase instead
 * (architecture §2).
 */
export function keystoreProtector(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): KeyProtector | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') return null;
  return {
    encrypt: (plain) => safeStorage.encryptString(plain.toString('base64')),
    decrypt: (wrapped) => Buffer.from(safeStorage.decryptString(wrapped), 'base64'),
  };
}
