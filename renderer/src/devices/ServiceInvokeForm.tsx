import { useMemo, useState } from 'react';
import type { ThingModel } from '../../../shared/model/thing-model';
import { useApi } from '../api/context';
import { Field } from '../components/Field';
import { useT } from '../i18n';
import { CommandFormBody } from './CommandFormBody';
import { serviceParams } from './command-input';
import { paramFields } from './param-fields';
import { useCommandForm } from './useCommandForm';

/** Invokes a thing-model service on the online device: a form generated from the service's inputs, checked by the shared validator, and the device's reply. */
export function ServiceInvokeForm({ device, model }: { device: string; model: ThingModel }) {
  const t = useT();
  const api = useApi();
  const services = Object.values(model.services);
  const [serviceId, setServiceId] = useState(services[0]?.identifier ?? '');
  const service = model.services[serviceId];
  const fields = useMemo(() => paramFields(service?.inputData ?? []), [service]);
  const form = useCommandForm(
    (values) => serviceParams(model, serviceId, values),
    (params) => api.call('hub.invoke', { device, service: serviceId, params, timeoutS: 10 }),
  );
  if (services.length === 0) return null;

  return (
    <form className="form-row" aria-label={t('invoke.title')} onSubmit={form.onSubmit} noValidate data-testid="invoke-form">
      <Field label={t('invoke.service')}>
        <select value={serviceId} onChange={(event) => (setServiceId(event.target.value), form.reset())}>
          {services.map((item) => (
            <option key={item.identifier} value={item.identifier}>
              {item.name?.defaultValue ?? item.identifier}
            </option>
          ))}
        </select>
      </Field>
      <CommandFormBody fields={fields} form={form} sendLabel={t('invoke.send')} outcomeTestId="invoke-outcome" />
    </form>
  );
}
