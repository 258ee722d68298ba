import { useEffect, useState } from 'react';
import { vaultRequests, type RequestOutput } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { useApi } from '../api/context';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';

type VaultStatus = RequestOutput<'vault.status'>;

function ChangePassphrase({ onChanged }: { onChanged: (status: VaultStatus) => void }) {
  const t = useT();
  const api = useApi();
  const form = useContractForm({
    schema: vaultRequests.changePassphrase.input,
    initial: { current: '', next: '' },
    toInput: (values) => ({ ...(values.current ? { current: values.current } : {}), next: values.next }),
    send: async (input) => {
      const result = await api.call('vault.changePassphrase', input);
      if (result.ok) onChanged(result.value);
      return result;
    },
  });
  return (
    <form className="form-row" aria-label={t('vault.change')} onSubmit={form.onSubmit} noValidate>
      <Field label={t('vault.current')} error={form.fieldErrors.current}>
        <input type="password" autoComplete="current-password" value={form.values.current} onChange={(event) => form.setField('current', event.target.value)} />
      </Field>
      <Field label={t('vault.next')} error={form.fieldErrors.next}>
        <input type="password" autoComplete="new-password" value={form.values.next} onChange={(event) => form.setField('next', event.target.value)} />
      </Field>
      <button type="submit" disabled={form.submitting}>
        {t('vault.change')}
      </button>
      {form.result && !form.serverError && <span role="status">{t('vault.changed')}</span>}
      {form.serverError && <ErrorNotice error={form.serverError} />}
    </form>
  );
}

/** Vault protection: how the data key is wrapped, and the passphrase change a headless station needs. */
export function VaultSettings() {
  const t = useT();
  const api = useApi();
  const [status, setStatus] = useState<VaultStatus | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    void api.call('vault.status', {}).then((result) => (result.ok ? setStatus(result.value) : setError(result.error)));
  }, [api]);
  if (error) return <ErrorNotice error={error} />;
  if (!status) return null;
  return (
    <>
      <dl className="facts" data-testid="vault-status">
        <dt>{t('vault.state')}</dt>
        <dd>{status.unlocked ? t('vault.unlocked') : t('vault.locked')}</dd>
        <dt>{t('vault.methods')}</dt>
        <dd>{status.methods.map((method) => t(`vault.method.${method}`)).join(', ')}</dd>
      </dl>
      <ChangePassphrase onChanged={setStatus} />
    </>
  );
}
