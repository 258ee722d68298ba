import { useEffect } from 'react';
import { useAppStore } from '../stores';

export function SettingsPage() {
  const info = useAppStore((state) => state.info);
  const error = useAppStore((state) => state.error);
  const load = useAppStore((state) => state.load);
  useEffect(() => void load(), [load]);

  return (
    <section className="panel" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <h2>About</h2>
      {error && <p role="alert" className="error">{error.message}</p>}
      {info && (
        <dl className="facts" data-testid="about">
          <dt>Commissioner</dt>
          <dd>{info.appVersion}</dd>
          <dt>Running as</dt>
          <dd>{info.host}</dd>
          <dt>Data folder</dt>
          <dd data-testid="data-dir">{info.dataDir}</dd>
          <dt>Station id</dt>
          <dd>{info.stationId}</dd>
          <dt>Node.js</dt>
          <dd>{info.versions.node}</dd>
          <dt>Electron</dt>
          <dd>{info.versions.electron ?? 'not in use (headless station)'}</dd>
          <dt>SQLite</dt>
          <dd>{info.versions.sqlite}</dd>
        </dl>
      )}
    </section>
  );
}
