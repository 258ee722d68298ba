import type { ChangeEvent } from 'react';
import { provisioningRequests } from '../../../shared/contract';
import { ErrorNotice } from '../components/ErrorNotice';
import { ProductSelect } from '../components/ProductSelect';
import { Field } from '../components/Field';
import { Progress } from '../components/Progress';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';
import { devicesPerHour } from '../provisioning/slots';
import { SlotCard } from '../provisioning/SlotCard';
import { useProvisioningStore } from '../stores';
import { useFollow } from '../stores/useLiveData';

/** Starts a batch on every port the station knows, with an optional MES plan (CSV). */
function BatchForm() {
  const t = useT();
  const batch = useProvisioningStore((state) => state.batch);
  const form = useContractForm({
    schema: provisioningRequests.batch.input,
    initial: { productKey: '', planCsv: '' },
    toInput: (values) => ({ productKey: values.productKey, all: true, ...(values.planCsv ? { planCsv: values.planCsv } : {}) }),
    send: batch,
  });
  const importPlan = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) form.setField('planCsv', await file.text());
  };
  return (
    <form className="form-row" aria-label={t('station.run')} onSubmit={form.onSubmit} noValidate>
      <ProductSelect label={t('provision.product')} value={form.values.productKey} error={form.fieldErrors.productKey} onChange={(key) => form.setField('productKey', key)} />
      <Field label={t('station.plan')} error={form.fieldErrors.planCsv}>
        <input type="file" accept=".csv,text/csv" onChange={(event) => void importPlan(event)} />
      </Field>
      <button type="submit" disabled={form.submitting}>
        {t('station.run')}
      </button>
      {form.submitting && <Progress label={t('station.running')} />}
      {form.serverError && <ErrorNotice error={form.serverError} />}
    </form>
  );
}

function Counters() {
  const t = useT();
  const counters = useProvisioningStore((state) => state.counters);
  const startedAt = useProvisioningStore((state) => state.startedAt);
  const rate = startedAt ? devicesPerHour(counters.provisioned, Date.now() - startedAt) : 0;
  return (
    <dl className="facts counters" data-testid="station-counters">
      {(['provisioned', 'failed', 'skipped', 'held'] as const).map((outcome) => (
        <div key={outcome}>
          <dt>{t(`provision.outcome.${outcome}`)}</dt>
          <dd data-outcome={outcome}>{counters[outcome]}</dd>
        </div>
      ))}
      <div>
        <dt>{t('station.perHour')}</dt>
        <dd>{rate}</dd>
      </div>
    </dl>
  );
}

/** The factory station: a grid of slots that fill in by themselves as devices are plugged in and run. */
export function StationPage() {
  const t = useT();
  const slots = useProvisioningStore((state) => state.slots);
  const error = useProvisioningStore((state) => state.error);
  const follow = useProvisioningStore((state) => state.follow);
  useFollow(follow);
  return (
    <section aria-labelledby="station-title">
      <h1 id="station-title">{t('station.title')}</h1>
      <div className="panel">
        <BatchForm />
        <Counters />
        {error && <ErrorNotice error={error} />}
      </div>
      <div className="slot-grid" data-testid="slot-grid">
        {Object.values(slots)
          .sort((a, b) => a.port.localeCompare(b.port))
          .map((slot) => (
            <SlotCard key={slot.port} slot={slot} />
          ))}
      </div>
    </section>
  );
}
