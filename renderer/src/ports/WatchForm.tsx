import { portsRequests } from '../../../shared/contract';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';
import { usePortsStore } from '../stores';

/** Pseudo-terminals (virtual devices, socat links) are not listed by the OS: name them or a glob here. */
export function WatchForm() {
  const t = useT();
  const watch = usePortsStore((state) => state.watch);
  const form = useContractForm({
    schema: portsRequests.watch.input,
    initial: { pattern: '' },
    toInput: (values) => ({ patterns: values.pattern.split(/\s+/).filter(Boolean) }),
    send: watch,
  });
  return (
    <form className="form-row" aria-label={t('ports.watch')} onSubmit={form.onSubmit} noValidate>
      <Field label={t('ports.watchPaths')} error={form.fieldErrors.patterns ?? form.fieldErrors['patterns.0']}>
        <input value={form.values.pattern} placeholder="/tmp/sim-*" onChange={(event) => form.setField('pattern', event.target.value)} />
      </Field>
      <button type="submit">{t('ports.watch')}</button>
      {form.serverError && <ErrorNotice error={form.serverError} />}
    </form>
  );
}
