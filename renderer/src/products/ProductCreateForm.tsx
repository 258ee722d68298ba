import { AuthSchemeSchema, DeviceProtocolSchema, ProductCreateSchema, type DeviceProtocol } from '../../../shared/contract';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';
import { useProductsStore } from '../stores';

export function ProductCreateForm() {
  const t = useT();
  const create = useProductsStore((state) => state.create);
  const form = useContractForm({
    schema: ProductCreateSchema,
    initial: { name: '', authScheme: 'device-secret', protocols: ['mqtt'] as DeviceProtocol[], prefix: '', source: 'random', destination: 'local' },
    toInput: (values) => ({ name: values.name, authScheme: values.authScheme, protocols: values.protocols, namingRule: { prefix: values.prefix, source: values.source }, destination: values.destination }),
    send: create,
  });
  const toggleProtocol = (protocol: DeviceProtocol) =>
    form.setField('protocols', form.values.protocols.includes(protocol) ? form.values.protocols.filter((item) => item !== protocol) : [...form.values.protocols, protocol]);
  return (
    <form className="form-row" aria-label={t('products.create')} onSubmit={form.onSubmit} noValidate>
      <Field label={t('products.name')} error={form.fieldErrors.name}>
        <input value={form.values.name} onChange={(event) => form.setField('name', event.target.value)} />
      </Field>
      <Field label={t('products.authScheme')} error={form.fieldErrors.authScheme}>
        <select value={form.values.authScheme} onChange={(event) => form.setField('authScheme', event.target.value)}>
          {AuthSchemeSchema.options.map((scheme) => (
            <option key={scheme} value={scheme}>
              {scheme}
            </option>
          ))}
        </select>
      </Field>
      <fieldset className="field" aria-invalid={form.fieldErrors.protocols ? true : undefined}>
        <legend>{t('products.protocols')}</legend>
        {DeviceProtocolSchema.options.map((protocol) => (
          <label key={protocol}>
            <input type="checkbox" checked={form.values.protocols.includes(protocol)} onChange={() => toggleProtocol(protocol)} /> {protocol}
          </label>
        ))}
        {form.fieldErrors.protocols && <span className="field-error">{form.fieldErrors.protocols}</span>}
      </fieldset>
      <Field label={t('products.namingPrefix')} error={form.fieldErrors['namingRule.prefix']}>
        <input value={form.values.prefix} onChange={(event) => form.setField('prefix', event.target.value)} />
      </Field>
      <Field label={t('products.namingSource')}>
        <select value={form.values.source} onChange={(event) => form.setField('source', event.target.value)}>
          {['random', 'serial', 'mac'].map((source) => (
            <option key={source} value={source}>
              {source}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={form.submitting}>
        {t('products.createButton')}
      </button>
      {form.serverError && <ErrorNotice error={form.serverError} />}
    </form>
  );
}
