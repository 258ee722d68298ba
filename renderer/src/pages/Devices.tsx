import { ErrorNotice } from '../components/ErrorNotice';
import { Progress } from '../components/Progress';
import { DeviceDetail } from '../devices/DeviceDetail';
import { DeviceFilterForm } from '../devices/DeviceFilterForm';
import { DeviceTable } from '../devices/DeviceTable';
import { useT } from '../i18n';
import { useDevicesStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

function DeviceCount() {
  const t = useT();
  const total = useDevicesStore((state) => state.total);
  const loading = useDevicesStore((state) => state.loading);
  const stale = useDevicesStore((state) => state.stale);
  const reload = useDevicesStore((state) => state.reload);
  return (
    <div className="form-row">
      {total !== null && <span data-testid="device-count">{t('devices.count', { count: total })}</span>}
      {loading && <Progress label={t('devices.loading')} />}
      {stale && (
        <button type="button" onClick={() => void reload()}>
          {t('devices.changedReload')}
        </button>
      )}
    </div>
  );
}

export function DevicesPage() {
  const t = useT();
  const error = useDevicesStore((state) => state.error);
  const reload = useDevicesStore((state) => state.reload);
  const follow = useDevicesStore((state) => state.follow);
  useLiveData(reload, follow);
  return (
    <section aria-labelledby="devices-title" className="devices">
      <h1 id="devices-title">{t('devices.title')}</h1>
      <div className="panel">
        <DeviceFilterForm />
        <DeviceCount />
        {error && <ErrorNotice error={error} />}
        <DeviceTable />
      </div>
      <DeviceDetail />
    </section>
  );
}
