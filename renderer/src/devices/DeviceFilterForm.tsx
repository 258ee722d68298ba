import { DeviceListSchema, DeviceStateSchema, type DeviceState } from '../../../shared/contract';
import { ok } from '../../../shared/result';
import { Field } from '../components/Field';
import { ProductSelect } from '../components/ProductSelect';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';
import { useDevicesStore } from '../stores';

/** Search and filters, checked by `devices.list`'s own schema before the list reloads. */
export function DeviceFilterForm() {
  const t = useT();
  const filter = useDevicesStore((state) => state.filter);
  const setFilter = useDevicesStore((state) => state.setFilter);
  const form = useContractForm({
    schema: DeviceListSchema,
    initial: { query: filter.query ?? '', productKey: filter.productKey ?? '', state: filter.state ?? '' },
    toInput: (values) => ({
      sort: filter.sort,
      order: filter.order,
      ...(values.query ? { query: values.query } : {}),
      ...(values.productKey ? { productKey: values.productKey } : {}),
      ...(values.state ? { state: values.state as DeviceState } : {}),
    }),
    send: async ({ limit: _limit, after: _after, ...next }) => (await setFilter(next), ok(null)),
  });
  return (
    <form className="form-row" role="search" aria-label={t('devices.search')} onSubmit={form.onSubmit} noValidate>
      <Field label={t('devices.search')} error={form.fieldErrors.query}>
        <input type="search" value={form.values.query} onChange={(event) => form.setField('query', event.target.value)} />
      </Field>
      <ProductSelect label={t('devices.productKey')} value={form.values.productKey} error={form.fieldErrors.productKey} emptyLabel={t('devices.any')} onChange={(key) => form.setField('productKey', key)} />
      <Field label={t('devices.state')} error={form.fieldErrors.state}>
        <select value={form.values.state} onChange={(event) => form.setField('state', event.target.value)}>
          <option value="">{t('devices.any')}</option>
          {DeviceStateSchema.options.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit">{t('devices.apply')}</button>
    </form>
  );
}
