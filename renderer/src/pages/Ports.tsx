import { ErrorNotice } from '../components/ErrorNotice';
import { useT } from '../i18n';
import { DeviceLogPanel } from '../ports/DeviceLogPanel';
import { PortTable } from '../ports/PortTable';
import { SerialConsole } from '../ports/SerialConsole';
import { WatchForm } from '../ports/WatchForm';
import { usePortsStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

export function PortsPage() {
  const t = useT();
  const error = usePortsStore((state) => state.error);
  const consolePath = usePortsStore((state) => state.consolePath);
  const load = usePortsStore((state) => state.load);
  const follow = usePortsStore((state) => state.follow);
  useLiveData(load, follow);
  return (
    <section aria-labelledby="ports-title">
      <h1 id="ports-title">{t('ports.title')}</h1>
      <div className="panel">
        <WatchForm />
        <PortTable />
        {error && <ErrorNotice error={error} />}
      </div>
      {consolePath && <SerialConsole path={consolePath} />}
      <DeviceLogPanel />
    </section>
  );
}
