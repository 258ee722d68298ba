import { useMemo } from 'react';
import { toAligned } from '../charts/rates';
import { LiveChart } from '../components/LiveChart';
import { useT } from '../i18n';
import { useHubStore } from '../stores';

export function MessageRateChart() {
  const t = useT();
  const rates = useHubStore((state) => state.rates);
  const series = useMemo(
    () => [
      { label: t('hub.in'), color: '#1f6feb' },
      { label: t('hub.out'), color: '#2e7d32' },
    ],
    [t],
  );
  return <LiveChart title={t('hub.rate')} series={series} data={toAligned(rates)} />;
}
