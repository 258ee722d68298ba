import { useEffect, useState } from 'react';
import { DeviceProtocolSchema, provisioningRequests, type DeviceProtocol, type PortInfo } from '../../../shared/contract';
import { useApi } from '../api/context';
import { ErrorNotice } from '../components/ErrorNotice';
import { PortSelect } from '../components/PortSelect';
import { ProductSelect } from '../components/ProductSelect';
import { Field } from '../components/Field';
import { Progress } from '../components/Progress';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';
import { ChecksTable } from '../provisioning/ChecksTable';
import { LabelPreview } from '../provisioning/LabelPreview';
import { PipelineSteps } from '../provisioning/PipelineSteps';
import { emptySlot, slotProgress } from '../provisioning/slots';
import { useProvisioningStore } from '../stores';
import { useFollow } from '../stores/useLiveData';

function usePorts(): PortInfo[] {
  const api = useApi();
  const [ports, setPorts] = useState<PortInfo[]>([]);
  useEffect(() => {
    void api.call('ports.list', {}).then((result) => result.ok && setPorts(result.value));
  }, [api]);
  return ports;
}

/** One device: pick port, product, asset node and protocols; watch each step; see the checks and the label. */
export function ProvisionPage() {
  const t = useT();
  const ports = usePorts();
  const provision = useProvisioningStore((state) => state.provision);
  const follow = useProvisioningStore((state) => state.follow);
  const slots = useProvisioningStore((state) => state.slots);
  useFollow(follow);
  const form = useContractForm({
    schema: provisioningRequests.provision.input,
    initial: { port: '', productKey: '', node: '', protocols: [] as DeviceProtocol[] },
    toInput: (values) => ({
      port: values.port,
      productKey: values.productKey,
      ...(values.node ? { node: values.node } : {}),
      ...(values.protocols.length > 0 ? { protocols: values.protocols } : {}),
    }),
    send: provision,
  });
  const slot = form.values.port ? (slots[form.values.port] ?? emptySlot(form.values.port)) : null;
  const result = form.result ?? slot?.result ?? null;
  const toggle = (protocol: DeviceProtocol) =>
    form.setField('protocols', form.values.protocols.includes(protocol) ? form.values.protocols.filter((item) => item !== protocol) : [...form.values.protocols, protocol]);

  return (
    <section aria-labelledby="provision-title">
      <h1 id="provision-title">{t('provision.title')}</h1>
      <form className="panel form-row" aria-label={t('provision.title')} onSubmit={form.onSubmit} noValidate>
        <PortSelect label={t('provision.port')} value={form.values.port} ports={ports} error={form.fieldErrors.port} onChange={(path) => form.setField('port', path)} />
        <ProductSelect label={t('provision.product')} value={form.values.productKey} error={form.fieldErrors.productKey} onChange={(key) => form.setField('productKey', key)} />
        <Field label={t('provision.node')} error={form.fieldErrors.node}>
          <input value={form.values.node} placeholder="Site/Building/Floor" onChange={(event) => form.setField('node', event.target.value)} />
        </Field>
        <fieldset className="field">
          <legend>{t('provision.protocols')}</legend>
          {DeviceProtocolSchema.options.map((protocol) => (
            <label key={protocol}>
              <input type="checkbox" checked={form.values.protocols.includes(protocol)} onChange={() => toggle(protocol)} /> {protocol}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={form.submitting}>
          {t('provision.start')}
        </button>
        {form.serverError && <ErrorNotice error={form.serverError} />}
      </form>
      {slot && (form.submitting || slot.runId !== null) && (
        <div className="panel" data-testid="provision-run">
          <Progress label={t('provision.pipeline')} value={slotProgress(slot)} />
          <PipelineSteps slot={slot} />
          {result && (
            <>
              <h2 data-testid="provision-outcome">{t(`provision.outcome.${result.outcome}`)}</h2>
              {result.error && <ErrorNotice error={result.error} />}
              <ChecksTable checks={result.checks} />
              {result.outcome === 'provisioned' && result.deviceKey && <LabelPreview device={`${result.productKey}/${result.deviceKey}`} />}
            </>
          )}
        </div>
      )}
    </section>
  );
}
