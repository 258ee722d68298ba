import { CaInitForm } from '../certificates/CaInitForm';
import { CertificateTable } from '../certificates/CertificateTable';
import { downloadText } from '../components/download';
import { ErrorNotice } from '../components/ErrorNotice';
import { useT } from '../i18n';
import { useCertificatesStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

function Authorities() {
  const t = useT();
  const authorities = useCertificatesStore((state) => state.authorities);
  const crl = useCertificatesStore((state) => state.crl);
  if (authorities.length === 0) return <CaInitForm />;
  const exportCrl = async () => {
    const result = await crl();
    if (result.ok) downloadText('commissioner.crl.pem', result.value.pem, 'application/x-pem-file');
  };
  return (
    <>
      <table className="simple-table" data-testid="ca-list">
        <tbody>
          {authorities.map((authority) => (
            <tr key={authority.id}>
              <td>{authority.role}</td>
              <td>{authority.subject}</td>
              <td>{authority.algorithm}</td>
              <td>{new Date(authority.notAfter).toLocaleDateString()}</td>
              <td>
                <code>{authority.fingerprint.slice(0, 23)}…</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-row">
        <button type="button" onClick={() => void exportCrl()}>
          {t('certs.exportCrl')}
        </button>
      </div>
    </>
  );
}

export function CertificatesPage() {
  const t = useT();
  const error = useCertificatesStore((state) => state.error);
  const load = useCertificatesStore((state) => state.load);
  const follow = useCertificatesStore((state) => state.follow);
  useLiveData(load, follow);
  return (
    <section aria-labelledby="certs-title">
      <h1 id="certs-title">{t('certs.title')}</h1>
      {error && <ErrorNotice error={error} />}
      <div className="panel">
        <h2>{t('certs.ca')}</h2>
        <Authorities />
      </div>
      <div className="panel">
        <h2>{t('certs.issued')}</h2>
        <CertificateTable />
      </div>
    </section>
  );
}
