import { useEffect, useState } from 'react';
import type { DeviceState } from '../../../shared/contract';
import type { ThingModel } from '../../../shared/model/thing-model';
import { useApi } from '../api/context';
import { useT } from '../i18n';
import { useDeviceActivityStore, useDevicesStore } from '../stores';
import { DeviceLedger, DeviceMessages, DeviceSync } from './DeviceActivity';
import { MeasurepointSetForm } from './MeasurepointSetForm';
import { ServiceInvokeForm } from './ServiceInvokeForm';

function useThingModel(productKey: string | undefined): ThingModel | null {
  const api = useApi();
  const [model, setModel] = useState<ThingModel | null>(null);
  useEffect(() => {
    setModel(null);
    if (productKey) void api.call('products.get', { productKey }).then((result) => result.ok && setModel(result.value.thingModel));
  }, [api, productKey]);
  return model;
}

/** State changes a technician may make from the detail view, by current state. */
const ACTIONS: Record<DeviceState, DeviceState[]> = {
  planned: ['disabled'],
  provisioned: ['disabled', 'decommissioned'],
  active: ['disabled', 'decommissioned'],
  disabled: ['active', 'decommissioned'],
  decommissioned: [],
};

/** Follows the shown device's messages, ledger entries and sync state while the detail is open. */
function useDeviceActivity(productKey: string | undefined, deviceKey: string | undefined): void {
  const open = useDeviceActivityStore((state) => state.open);
  const follow = useDeviceActivityStore((state) => state.follow);
  useEffect(() => follow(), [follow]);
  useEffect(() => {
    void open(productKey && deviceKey ? { productKey, deviceKey } : null);
  }, [open, productKey, deviceKey]);
}

export function DeviceDetail() {
  const t = useT();
  const device = useDevicesStore((state) => state.selected);
  const secret = useDevicesStore((state) => state.revealedSecret);
  const reveal = useDevicesStore((state) => state.revealSecret);
  const setState = useDevicesStore((state) => state.setState);
  const close = useDevicesStore((state) => state.select);
  const model = useThingModel(device?.productKey);
  useDeviceActivity(device?.productKey, device?.deviceKey);
  if (!device) return null;
  return (
    <aside className="panel detail" aria-labelledby="device-detail-title" data-testid="device-detail">
      <h2 id="device-detail-title">
        {device.productKey}/{device.deviceKey}
      </h2>
      <dl className="facts">
        <dt>{t('devices.name')}</dt>
        <dd>{device.name}</dd>
        <dt>{t('devices.state')}</dt>
        <dd data-testid="device-state">{device.state}</dd>
        <dt>{t('devices.destination')}</dt>
        <dd>{device.destination}</dd>
        <dt>{t('devices.credentials')}</dt>
        <dd>{device.credentialSource}</dd>
        <dt>{t('devices.secret')}</dt>
        <dd data-testid="device-secret">
          {secret ?? (
            <button type="button" onClick={() => void reveal()}>
              {t('devices.reveal')}
            </button>
          )}
        </dd>
        <dt>{t('devices.certificate')}</dt>
        <dd>{device.certFingerprint ?? '—'}</dd>
        <dt>{t('devices.attributes')}</dt>
        <dd>
          <pre>{JSON.stringify(device.attributes, null, 2)}</pre>
        </dd>
        <dt>{t('devices.tags')}</dt>
        <dd>{Object.entries(device.tags).map(([key, value]) => `${key}=${value}`).join(', ') || '—'}</dd>
      </dl>
      <div className="form-row">
        {ACTIONS[device.state].map((state) => (
          <button type="button" key={state} onClick={() => void setState(state)}>
            {t(`devices.to.${state}`)}
          </button>
        ))}
        <button type="button" onClick={() => void close(null)}>
          {t('devices.close')}
        </button>
      </div>
      {model && (
        <>
          <h3>{t('invoke.title')}</h3>
          <ServiceInvokeForm key={`${device.productKey}/${device.deviceKey}`} device={`${device.productKey}/${device.deviceKey}`} model={model} />
          {Object.keys(model.measurepoints).length > 0 && (
            <>
              <h3>{t('set.title')}</h3>
              <MeasurepointSetForm key={`set-${device.productKey}/${device.deviceKey}`} device={`${device.productKey}/${device.deviceKey}`} model={model} />
            </>
          )}
        </>
      )}
      <DeviceMessages />
      <DeviceLedger />
      <DeviceSync />
    </aside>
  );
}
