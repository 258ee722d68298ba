import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useApi } from '../api/context';
import { downloadText } from '../components/download';
import { ErrorNotice } from '../components/ErrorNotice';
import type { AppError } from '../../../shared/result';
import { useT } from '../i18n';

function downloadBase64(name: string, base64: string, type: string) {
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes], { type }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** The device's label: its identity URI as a QR code (what scan-to-place reads), the printable PDF and the signed birth record. */
export function LabelPreview({ device }: { device: string }) {
  const t = useT();
  const api = useApi();
  const [qr, setQr] = useState<string | null>(null);
  const [uri, setUri] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    void api.call('provisioning.label', { device, format: 'pdf' }).then(async (result) => {
      if (!result.ok) return setError(result.error);
      setUri(result.value.identityUri);
      setQr(await QRCode.toDataURL(result.value.identityUri, { margin: 1, width: 160 }));
    });
  }, [api, device]);
  const pdf = async () => {
    const result = await api.call('provisioning.label', { device, format: 'pdf' });
    if (result.ok) downloadBase64(`${result.value.deviceKey}-label.pdf`, result.value.base64, 'application/pdf');
    else setError(result.error);
  };
  const record = async () => {
    const result = await api.call('provisioning.report', { device });
    if (result.ok) downloadText(`${result.value.body.deviceKey}-birth-record.json`, JSON.stringify(result.value, null, 2), 'application/json');
    else setError(result.error);
  };
  return (
    <div className="label-preview" data-testid="label">
      {qr && <img src={qr} alt={t('provision.qr', { uri: uri ?? '' })} width={160} height={160} />}
      {uri && <code data-testid="identity-uri">{uri}</code>}
      <div className="form-row">
        <button type="button" onClick={() => void pdf()}>
          {t('provision.labelPdf')}
        </button>
        <button type="button" onClick={() => void record()}>
          {t('provision.birthRecord')}
        </button>
      </div>
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
