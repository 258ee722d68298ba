import { useEffect } from 'react';
import { useLogsStore } from '../stores';

export function LogsPage() {
  const lines = useLogsStore((state) => state.lines);
  const error = useLogsStore((state) => state.error);
  const load = useLogsStore((state) => state.load);
  const follow = useLogsStore((state) => state.follow);
  useEffect(() => {
    void load();
    return follow();
  }, [load, follow]);

  return (
    <section className="panel" aria-labelledby="logs-title">
      <h1 id="logs-title">Logs</h1>
      {error && <p role="alert" className="error">{error.message}</p>}
      <ol className="log-lines" data-testid="log-lines">
        {lines.map((line) => (
          <li key={line.seq} className={`level-${line.level}`}>
            <time>{new Date(line.time).toLocaleTimeString()}</time> <b>{line.level}</b> <span>{line.subsystem}</span> {line.msg}
          </li>
        ))}
      </ol>
    </section>
  );
}
