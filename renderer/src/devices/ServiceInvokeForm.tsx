import { useMemo, useState, type FormEvent } from 'react';
import type { CommandOutcome } from '../../../shared/contract';
import type { EnumDefinition, ThingModel } from '../../../shared/model/thing-model';
import { validateServiceInput } from '../../../shared/model/thing-model';
import type { AppError } from '../../../shared/result';
import { useApi } from '../api/context';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import type { FieldErrors } from '../forms/contract-form';
import { useT } from '../i18n';
import { coerceParams, fieldErrorsFromViolations, paramFields, type FieldValue, type ParamField } from './param-fields';

/** The control for one parameter; `control` carries the id and aria attributes the surrounding Field ties to its label. */
function ParamInput({ field, value, onChange, ...control }: { field: ParamField; value: FieldValue | undefined; onChange: (value: FieldValue) => void; id?: string }) {
  if (field.kind === 'boolean') return <input {...control} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />;
  if (field.kind === 'enum')
    return (
      <select {...control} value={String(value ?? '')} onChange={(event) => onChange(event.target.value)}>
        <option value="">—</option>
        {field.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    );
  const type = field.kind === 'integer' || field.kind === 'number' ? 'number' : 'text';
  return <input {...control} type={type} value={String(value ?? '')} onChange={(event) => onChange(event.target.value)} />;
}

/** Invokes a thing-model service on the online device: a form generated from the service's inputs, checked by the shared validator, and the device's reply. */
export function ServiceInvokeForm({ device, model }: { device: string; model: ThingModel }) {
  const t = useT();
  const api = useApi();
  const services = Object.values(model.services);
  const [serviceId, setServiceId] = useState(services[0]?.identifier ?? '');
  const [values, setValues] = useState<Record<string, FieldValue>>({});
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [outcome, setOutcome] = useState<CommandOutcome | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const service = model.services[serviceId];
  const fields = useMemo(() => paramFields(service?.inputData ?? []), [service]);
  if (services.length === 0) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const intEnum = (id: string) => (service!.inputData.find((param) => param.identifier === id)?.dataDefinition as EnumDefinition | null)?.enumType === 'INT';
    const coerced = coerceParams(fields, values, intEnum);
    if (!coerced.ok) return setFieldErrors(coerced.fieldErrors);
    const violations = validateServiceInput(model, serviceId, coerced.value);
    if (violations.length > 0) return setFieldErrors(fieldErrorsFromViolations(violations));
    setFieldErrors({});
    setBusy(true);
    const result = await api.call('hub.invoke', { device, service: serviceId, params: coerced.value, timeoutS: 10 });
    setBusy(false);
    setOutcome(result.ok ? result.value : null);
    setError(result.ok ? null : result.error);
  };

  return (
    <form className="form-row" aria-label={t('invoke.title')} onSubmit={(event) => void submit(event)} noValidate data-testid="invoke-form">
      <Field label={t('invoke.service')}>
        <select value={serviceId} onChange={(event) => (setServiceId(event.target.value), setValues({}), setFieldErrors({}))}>
          {services.map((item) => (
            <option key={item.identifier} value={item.identifier}>
              {item.name?.defaultValue ?? item.identifier}
            </option>
          ))}
        </select>
      </Field>
      {fields.map((field) => (
        <Field key={field.id} label={`${field.label} (${field.dataType})`} error={fieldErrors[field.id]}>
          <ParamInput field={field} value={values[field.id]} onChange={(value) => setValues({ ...values, [field.id]: value })} />
        </Field>
      ))}
      <button type="submit" disabled={busy}>
        {t('invoke.send')}
      </button>
      {fieldErrors[''] && <span className="field-error">{fieldErrors['']}</span>}
      {outcome && (
        <output data-testid="invoke-outcome">
          {outcome.status === 'replied' ? t('invoke.replied', { code: outcome.code, ms: Math.round(outcome.latencyMs), data: JSON.stringify(outcome.data) }) : t(`invoke.${outcome.status}`)}
        </output>
      )}
      {error && <ErrorNotice error={error} />}
    </form>
  );
}
