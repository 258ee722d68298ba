import { useState } from 'react';
import { RevocationReasonSchema, type RevocationReason } from '../../../shared/contract';
import { useT } from '../i18n';
import { useCertificatesStore } from '../stores';

function RevokeButton({ serial }: { serial: string }) {
  const t = useT();
  const revoke = useCertificatesStore((state) => state.revoke);
  const [reason, setReason] = useState<RevocationReason>('unspecified');
  return (
    <span className="form-row inline">
      <select aria-label={t('certs.reason')} value={reason} onChange={(event) => setReason(event.target.value as RevocationReason)}>
        {RevocationReasonSchema.options.map((item) => (
          <option key={item}>{item}</option>
        ))}
      </select>
      <button type="button" onClick={() => void revoke(serial, reason)}>
        {t('certs.revoke')}
      </button>
    </span>
  );
}

export function CertificateTable() {
  const t = useT();
  const certificates = useCertificatesStore((state) => state.certificates);
  if (certificates.length === 0) return <p>{t('certs.none')}</p>;
  return (
    <table className="simple-table" data-testid="cert-list">
      <thead>
        <tr>
          <th>{t('certs.serial')}</th>
          <th>{t('certs.subject')}</th>
          <th>{t('certs.device')}</th>
          <th>{t('certs.validUntil')}</th>
          <th>{t('certs.status')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {certificates.map((certificate) => (
          <tr key={certificate.serial}>
            <td>
              <code>{certificate.serial}</code>
            </td>
            <td>{certificate.commonName}</td>
            <td>{certificate.productKey ? `${certificate.productKey}/${certificate.deviceKey}` : certificate.kind}</td>
            <td>{new Date(certificate.notAfter).toLocaleDateString()}</td>
            <td className={`status-${certificate.status}`}>{certificate.status}</td>
            <td>{certificate.status === 'valid' && <RevokeButton serial={certificate.serial} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
