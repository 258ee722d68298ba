import { ErrorNotice } from '../components/ErrorNotice';
import { Progress } from '../components/Progress';
import { useT } from '../i18n';
import { useSyncStore } from '../stores';
import { Conflicts } from '../sync/Conflicts';
import { SyncBacklog } from '../sync/SyncBacklog';
import { Targets } from '../sync/Targets';

export function SyncPage() {
  const t = useT();
  const error = useSyncStore((state) => state.error);
  const running = useSyncStore((state) => state.running);
  const run = useSyncStore((state) => state.run);
  return (
    <section aria-labelledby="sync-title">
      <h1 id="sync-title">{t('sync.title')}</h1>
      <div className="panel">
        <h2>{t('sync.targets')}</h2>
        <Targets />
      </div>
      <div className="panel">
        <SyncBacklog />
        <div className="form-row">
          <button type="button" disabled={running} onClick={() => void run()}>
            {t('sync.runNow')}
          </button>
          {running && <Progress label={t('sync.running')} />}
        </div>
        {error && <ErrorNotice error={error} />}
      </div>
      <Conflicts />
    </section>
  );
}
