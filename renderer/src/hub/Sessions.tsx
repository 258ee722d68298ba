import { useT } from '../i18n';
import { useHubStore } from '../stores';

export function Sessions() {
  const t = useT();
  const online = useHubStore((state) => state.online);
  return (
    <div className="panel">
      <h2>{t('hub.sessions')}</h2>
      <table className="simple-table" data-testid="hub-sessions">
        <thead>
          <tr>
            <th>{t('hub.device')}</th>
            <th>{t('hub.listener')}</th>
            <th>{t('hub.address')}</th>
            <th>{t('hub.since')}</th>
          </tr>
        </thead>
        <tbody>
          {online.map((session) => (
            <tr key={session.clientId}>
              <td>
                {session.productKey}/{session.deviceKey}
              </td>
              <td>{session.listener}</td>
              <td>{session.address ?? '—'}</td>
              <td>{new Date(session.connectedAt).toLocaleTimeString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
