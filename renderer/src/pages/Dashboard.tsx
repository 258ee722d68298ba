import { useEffect, useMemo } from 'react';
import { toAligned } from '../charts/rates';
import { ErrorNotice } from '../components/ErrorNotice';
import { LiveChart } from '../components/LiveChart';
import { useT } from '../i18n';
import { CountTable } from '../hub/HubOverview';
import { MessageRateChart } from '../hub/MessageRateChart';
import { SyncBacklog } from '../sync/SyncBacklog';
import { useAppStore, useConnection, useDashboardStore, useHubStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function StationFacts() {
  const t = useT();
  const info = useAppStore((state) => state.info);
  const error = useAppStore((state) => state.error);
  const load = useAppStore((state) => state.load);
  const reconnects = useConnection((state) => state.reconnects);
  useEffect(() => void load(), [load, reconnects]);
  if (error) return <ErrorNotice error={error} />;
  if (!info) return null;
  return (
    <dl className="facts" data-testid="station-facts">
      <dt>{t('dashboard.version')}</dt>
      <dd>{info.appVersion}</dd>
      <dt>{t('dashboard.host')}</dt>
      <dd>{info.host}</dd>
      <dt>{t('dashboard.stationId')}</dt>
      <dd>{info.stationId}</dd>
      <dt>{t('dashboard.uptime')}</dt>
      <dd>{formatDuration(Date.now() - info.startedAt)}</dd>
    </dl>
  );
}

function LogRateChart() {
  const t = useT();
  const rates = useDashboardStore((state) => state.logRates);
  const tick = useDashboardStore((state) => state.tick);
  const follow = useDashboardStore((state) => state.follow);
  useEffect(() => {
    const stop = follow();
    const timer = setInterval(() => tick(Date.now()), 1000);
    return () => (clearInterval(timer), stop());
  }, [follow, tick]);
  const series = useMemo(
    () => [
      { label: t('dashboard.logRate'), color: '#1f6feb' },
      { label: t('dashboard.warnings'), color: '#c62828' },
    ],
    [t],
  );
  return <LiveChart title={t('dashboard.logRate')} series={series} data={toAligned(rates)} />;
}

/** Online now, messages per second in and out, errors by code: the hub's pushed statistics. */
function HubSummary() {
  const t = useT();
  const load = useHubStore((state) => state.load);
  const follow = useHubStore((state) => state.follow);
  const online = useHubStore((state) => state.stats?.online ?? 0);
  const errors = useHubStore((state) => state.stats?.totals.errors);
  useLiveData(load, follow);
  return (
    <>
      <div className="panel wide" data-testid="dashboard-hub">
        <p className="big-number" data-testid="dashboard-online">{t('hub.online', { count: online })}</p>
        <MessageRateChart />
      </div>
      <div className="panel">
        <CountTable title={t('hub.errors')} counts={errors ?? {}} testId="dashboard-errors" />
      </div>
    </>
  );
}

/** Devices by state and product, and today's provisioning runs; reloaded when devices change or a run finishes. */
function DeviceAndProvisioningCounts() {
  const t = useT();
  const load = useDashboardStore((state) => state.loadCounts);
  const follow = useDashboardStore((state) => state.followCounts);
  const devices = useDashboardStore((state) => state.devices);
  const today = useDashboardStore((state) => state.provisioning);
  const error = useDashboardStore((state) => state.countsError);
  useLiveData(load, follow);
  if (error)
    return (
      <div className="panel">
        <ErrorNotice error={error} />
      </div>
    );
  return (
    <>
      <div className="panel" data-testid="dashboard-devices">
        <h2>{t('dashboard.devices')}</h2>
        <p className="big-number" data-testid="dashboard-device-total">{t('dashboard.deviceTotal', { count: devices?.total ?? 0 })}</p>
        <CountTable title={t('dashboard.byState')} counts={devices?.byState ?? {}} testId="dashboard-device-states" />
        <CountTable title={t('dashboard.byProduct')} counts={devices?.byProduct ?? {}} testId="dashboard-device-products" />
      </div>
      <div className="panel" data-testid="dashboard-provisioning">
        <h2>{t('dashboard.provisioningToday')}</h2>
        <p className="big-number" data-testid="dashboard-success-rate">
          {today?.successRate == null ? t('dashboard.noRate') : t('dashboard.successRate', { percent: Math.round(today.successRate * 100) })}
        </p>
        {today && <p data-testid="dashboard-runs-today">{t('dashboard.runsToday', { started: today.started, provisioned: today.provisioned, failed: today.failed, skipped: today.skipped, held: today.held, running: today.running })}</p>}
      </div>
    </>
  );
}

export function DashboardPage() {
  const t = useT();
  return (
    <section aria-labelledby="dashboard-title" className="dashboard">
      <h1 id="dashboard-title">{t('dashboard.title')}</h1>
      <div className="cards">
        <div className="panel">
          <h2>{t('dashboard.station')}</h2>
          <StationFacts />
        </div>
        <DeviceAndProvisioningCounts />
        <HubSummary />
        <div className="panel">
          <SyncBacklog />
        </div>
        <div className="panel wide" data-testid="log-rate">
          <LogRateChart />
        </div>
      </div>
    </section>
  );
}
