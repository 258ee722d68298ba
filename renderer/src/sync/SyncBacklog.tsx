import { useT } from '../i18n';
import { useSyncStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '—';
  return seconds < 90 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`;
}

/** Per target: what waits to be sent, and when it will be at the current pace. */
export function SyncBacklog() {
  const t = useT();
  const status = useSyncStore((state) => state.status);
  const load = useSyncStore((state) => state.load);
  const follow = useSyncStore((state) => state.follow);
  useLiveData(load, follow);
  return (
    <div>
      <h2>{t('sync.backlog')}</h2>
      {status.length === 0 ? (
        <p>{t('sync.noTargets')}</p>
      ) : (
        <table className="simple-table" data-testid="sync-backlog">
          <thead>
            <tr>
              <th>{t('sync.target')}</th>
              <th>{t('sync.pending')}</th>
              <th>{t('sync.sent')}</th>
              <th>{t('sync.failed')}</th>
              <th>{t('sync.conflicts')}</th>
              <th>{t('sync.eta')}</th>
            </tr>
          </thead>
          <tbody>
            {status.map((item) => (
              <tr key={item.target}>
                <td>
                  {item.target} ({item.kind})
                </td>
                <td>{item.pending}</td>
                <td>{item.sent}</td>
                <td>{item.failed}</td>
                <td>{item.conflicts}</td>
                <td>{eta(item.etaSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
