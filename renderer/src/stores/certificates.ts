import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { Authority, CertificateInfo, RequestInput, RevocationReason } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';

export interface CertificatesState {
  authorities: Authority[];
  certificates: CertificateInfo[];
  error: AppError | null;
  load(): Promise<void>;
  initCa(input: RequestInput<'certificates.caInit'>): Promise<Result<Authority[]>>;
  revoke(serial: string, reason: RevocationReason): Promise<void>;
  /** The current CRL as PEM, for the download. */
  crl(): Promise<Result<{ pem: string; entries: number }>>;
  follow(): () => void;
}

export function createCertificatesStore(api: Api) {
  return createStore<CertificatesState>((set, get) => ({
    authorities: [],
    certificates: [],
    error: null,
    async load() {
      const [authorities, certificates] = await Promise.all([api.call('certificates.caShow', {}), api.call('certificates.list', {})]);
      if (!authorities.ok) return set({ error: authorities.error });
      if (!certificates.ok) return set({ error: certificates.error });
      set({ authorities: authorities.value, certificates: certificates.value, error: null });
    },
    async initCa(input) {
      const result = await api.call('certificates.caInit', input);
      if (result.ok) set({ authorities: result.value });
      return result;
    },
    async revoke(serial, reason) {
      const result = await api.call('certificates.revoke', { serial, reason });
      if (!result.ok) return set({ error: result.error });
      const revoked = new Map(result.value.map((certificate) => [certificate.serial, certificate]));
      set({ certificates: get().certificates.map((certificate) => revoked.get(certificate.serial) ?? certificate), error: null });
    },
    crl: () => api.call('certificates.crl', {}),
    follow() {
      return api.on('certificates.revoked', () => void get().load());
    },
  }));
}
