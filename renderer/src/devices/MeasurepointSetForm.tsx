import { useMemo } from 'react';
import type { ThingModel } from '../../../shared/model/thing-model';
import { useApi } from '../api/context';
import { useT } from '../i18n';
import { CommandFormBody } from './CommandFormBody';
import { measurepointsToSet } from './command-input';
import { measurepointFields } from './param-fields';
import { useCommandForm } from './useCommandForm';

/** Sets measurepoints on the online device (`hub.set`, §6.2): a field per point of the thing model. */
export function MeasurepointSetForm({ device, model }: { device: string; model: ThingModel }) {
  const t = useT();
  const api = useApi();
  const fields = useMemo(() => measurepointFields(model), [model]);
  const form = useCommandForm(
    (values) => measurepointsToSet(model, values, t('set.nothing')),
    (measurepoints) => api.call('hub.set', { device, measurepoints, timeoutS: 10 }),
  );
  if (fields.length === 0) return null;
  return (
    <form className="form-row" aria-label={t('set.title')} onSubmit={form.onSubmit} noValidate data-testid="set-form">
      <CommandFormBody fields={fields} form={form} sendLabel={t('set.send')} outcomeTestId="set-outcome" />
    </form>
  );
}
