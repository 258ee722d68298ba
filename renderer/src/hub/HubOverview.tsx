import { useT } from '../i18n';
import { useHubStore } from '../stores';
import { sessionsByListener, sortedCounts } from './hub-data';

export function CountTable({ title, counts, testId }: { title: string; counts: Record<string, number>; testId: string }) {
  const t = useT();
  const rows = sortedCounts(counts);
  return (
    <div>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p>{t('hub.none')}</p>
      ) : (
        <table className="simple-table" data-testid={testId}>
          <tbody>
            {rows.map(([key, count]) => (
              <tr key={key}>
                <td>{key}</td>
                <td>{count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Listeners and their ports, sessions per listener, refusals by reason, totals per product. */
export function HubOverview() {
  const t = useT();
  const status = useHubStore((state) => state.status);
  const stats = useHubStore((state) => state.stats);
  const online = useHubStore((state) => state.online);
  const listeners = Object.entries(status?.ports ?? {});
  const perListener = sessionsByListener(online);
  return (
    <div className="panel cards">
      <div>
        <h3>{t('hub.listeners')}</h3>
        <table className="simple-table" data-testid="hub-listeners">
          <tbody>
            {listeners.map(([name, port]) => (
              <tr key={name}>
                <td>{name}</td>
                <td>:{port}</td>
                <td>{t('hub.sessionsCount', { count: perListener[name] ?? 0 })}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p data-testid="hub-online">{t('hub.online', { count: stats?.online ?? online.length })}</p>
      </div>
      <CountTable title={t('hub.refusals')} counts={stats?.totals.refusals ?? {}} testId="hub-refusals" />
      <CountTable title={t('hub.errors')} counts={stats?.totals.errors ?? {}} testId="hub-errors" />
      <CountTable title={t('hub.perProduct')} counts={Object.fromEntries(Object.entries(stats?.products ?? {}).map(([key, counters]) => [key, counters.messagesIn]))} testId="hub-products" />
    </div>
  );
}
