import { certificatesRequests, KeyAlgorithmSchema } from '../../../shared/contract';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';
import { useCertificatesStore } from '../stores';

/** Shown while the station has no CA: creates one, checked by `certificates.caInit`'s schema. */
export function CaInitForm() {
  const t = useT();
  const initCa = useCertificatesStore((state) => state.initCa);
  const form = useContractForm({
    schema: certificatesRequests.caInit.input,
    initial: { name: 'Commissioner', algorithm: 'P-256', validYears: '10' },
    toInput: (values) => ({ name: values.name, algorithm: values.algorithm, validYears: Number(values.validYears) }),
    send: initCa,
  });
  return (
    <form className="form-row" aria-label={t('certs.init')} onSubmit={form.onSubmit} noValidate>
      <Field label={t('certs.caName')} error={form.fieldErrors.name}>
        <input value={form.values.name} onChange={(event) => form.setField('name', event.target.value)} />
      </Field>
      <Field label={t('certs.algorithm')}>
        <select value={form.values.algorithm} onChange={(event) => form.setField('algorithm', event.target.value)}>
          {KeyAlgorithmSchema.options.map((algorithm) => (
            <option key={algorithm}>{algorithm}</option>
          ))}
        </select>
      </Field>
      <Field label={t('certs.validYears')} error={form.fieldErrors.validYears}>
        <input type="number" value={form.values.validYears} onChange={(event) => form.setField('validYears', event.target.value)} />
      </Field>
      <button type="submit" disabled={form.submitting}>
        {t('certs.init')}
      </button>
      {form.serverError && <ErrorNotice error={form.serverError} />}
    </form>
  );
}
