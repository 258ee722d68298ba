import { z } from 'zod';
import { event, request } from './define';

/** Domain `certificates` (issue 7): the local CA, device certificates, revocation, station key. */

export const KeyAlgorithmSchema = z.enum(['P-256', 'RSA-2048']);
export type KeyAlgorithmName = z.infer<typeof KeyAlgorithmSchema>;

/** RFC 5280 reason codes EnOS accepts for revocation (protocol reference §11.4: 0, 1, 3, 4, 5, 6, 9). */
export const RevocationReasonSchema = z.enum([
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
]);
export type RevocationReason = z.infer<typeof RevocationReasonSchema>;

export const AuthoritySchema = z.object({
  id: z.string(),
  role: z.enum(['root', 'issuing', 'trusted']),
  source: z.enum(['generated', 'imported', 'destination']),
  subject: z.string(),
  algorithm: z.string(),
  notBefore: z.number().int(),
  notAfter: z.number().int(),
  fingerprint: z.string(),
  hasKey: z.boolean(),
});
export type Authority = z.infer<typeof AuthoritySchema>;

export const CertificateInfoSchema = z.object({
  serial: z.string(),
  kind: z.enum(['device', 'server']),
  productKey: z.string().nullable(),
  deviceKey: z.string().nullable(),
  commonName: z.string(),
  fingerprint: z.string(),
  algorithm: z.string(),
  keySource: z.enum(['csr', 'host']),
  notBefore: z.number().int(),
  notAfter: z.number().int(),
  /** 'expired' is derived from the clock; 'revoked' is recorded. */
  status: z.enum(['valid', 'revoked', 'expired']),
  revokedAt: z.number().int().nullable(),
  revocationReason: z.string().nullable(),
});
export type CertificateInfo = z.infer<typeof CertificateInfoSchema>;

const deviceRef = z.string().min(1).max(200);
const pem = z.string().min(1).max(1_000_000);
const serial = z.string().regex(/^[0-9A-Fa-f:\s]{1,80}$/);

export const certificatesRequests = {
  caInit: request(
    'certificates.caInit',
    z
      .object({
        algorithm: KeyAlgorithmSchema.default('P-256'),
        name: z.string().trim().min(1).max(64).default('Commissioner'),
        validYears: z.number().int().min(1).max(30).default(10),
      })
      .strict(),
    z.array(AuthoritySchema),
  ),
  caShow: request('certificates.caShow', z.object({}).strict(), z.array(AuthoritySchema)),
  caChain: request('certificates.caChain', z.object({}).strict(), z.object({ pem: z.string() })),
  /** An existing CA: PEM texts (certificates and key) or a PKCS#12 file (base64) with its password. */
  caImport: request(
    'certificates.caImport',
    z
      .object({ pem: z.array(pem).max(20).optional(), pkcs12: z.string().max(1_000_000).optional(), password: z.string().max(1024).optional() })
      .strict(),
    z.array(AuthoritySchema),
  ),
  crl: request('certificates.crl', z.object({ validDays: z.number().int().min(1).max(365).default(7) }).strict(), z.object({ pem: z.string(), entries: z.number().int() })),
  issue: request(
    'certificates.issue',
    z
      .object({
        device: deviceRef,
        /** The device's CSR (the key stays on the device); omit with generateKey for devices that cannot make one. */
        csr: pem.optional(),
        generateKey: z.boolean().default(false),
        keyAlgorithm: KeyAlgorithmSchema.optional(),
        /** Subject fields for a host-made key (§4: C, ST, L, O, OU); a CSR brings its own. */
        subject: z.object({ C: z.string().length(2), ST: z.string().min(1), L: z.string().min(1), O: z.string().min(1), OU: z.string().min(1) }).partial().strict().optional(),
        validDays: z.number().int().min(1).max(3650).default(730),
      })
      .strict(),
    z.object({ certificate: CertificateInfoSchema, certificatePem: z.string(), chainPem: z.string() }),
  ),
  revoke: request(
    'certificates.revoke',
    z.object({ device: deviceRef.optional(), serial: serial.optional(), reason: RevocationReasonSchema.default('unspecified') }).strict(),
    z.array(CertificateInfoSchema),
  ),
  list: request('certificates.list', z.object({ device: deviceRef.optional() }).strict(), z.array(CertificateInfoSchema)),
  /** A host-made device key, only as encrypted PKCS#8 PEM under the given passphrase (issue 7). */
  exportKey: request(
    'certificates.exportKey',
    z.object({ serial, passphrase: z.string().min(8).max(1024) }).strict(),
    z.object({ pem: z.string() }),
  ),
  stationKey: request('certificates.stationKey', z.object({}).strict(), z.object({ publicKeyPem: z.string(), fingerprint: z.string() })),
};

export const certificatesEvents = {
  /** The hub drops the device's live sessions (issue 7). */
  revoked: event('certificates.revoked', z.object({ serial: z.string(), productKey: z.string().nullable(), deviceKey: z.string().nullable() })),
};

export const VaultStatusSchema = z.object({
  initialized: z.boolean(),
  unlocked: z.boolean(),
  methods: z.array(z.enum(['passphrase', 'os-keystore'])),
});

/** Domain `vault` (architecture §2): a station started locked is unlocked from its UI. */
export const vaultRequests = {
  status: request('vault.status', z.object({}).strict(), VaultStatusSchema),
  unlock: request('vault.unlock', z.object({ passphrase: z.string().min(1).max(1024) }).strict(), VaultStatusSchema),
  changePassphrase: request(
    'vault.changePassphrase',
    z.object({ current: z.string().max(1024).optional(), next: z.string().max(1024) }).strict(),
    VaultStatusSchema,
  ),
};
