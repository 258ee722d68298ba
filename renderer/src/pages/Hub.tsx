import { ErrorNotice } from '../components/ErrorNotice';
import { HubOverview } from '../hub/HubOverview';
import { MessageRateChart } from '../hub/MessageRateChart';
import { MessageStream } from '../hub/MessageStream';
import { Sessions } from '../hub/Sessions';
import { useT } from '../i18n';
import { useHubStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

export function HubPage() {
  const t = useT();
  const error = useHubStore((state) => state.error);
  const load = useHubStore((state) => state.load);
  const follow = useHubStore((state) => state.follow);
  useLiveData(load, follow);
  return (
    <section aria-labelledby="hub-title">
      <h1 id="hub-title">{t('hub.title')}</h1>
      {error && <ErrorNotice error={error} />}
      <HubOverview />
      <div className="panel" data-testid="hub-rate">
        <MessageRateChart />
      </div>
      <Sessions />
      <MessageStream />
    </section>
  );
}
