import { randomBytes } from 'node:crypto';

/**
 * A random certificate serial: 16 bytes from the CSPRNG (RFC 5280 §4.1.2.2 allows up to 20; CA/B
 * Forum asks for ≥64 random bits). The first byte is kept in 0x40–0x7f so the DER INTEGER is
 * positive and never loses a leading zero: the hex we store is exactly the hex in the certificate.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString('hex');
}

/** Serials as users type them: any case, optional colons or spaces. */
export function normalizeSerial(input: string): string {
  return input.replace(/[\s:]/g, '').toLowerCase();
}
