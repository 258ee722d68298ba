import { useEffect } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { LOCALES, useT } from '../i18n';
import { isLocale } from '../i18n/translate';
import { useAppStore, usePreferences } from '../stores';
import { isThemePreference, THEME_PREFERENCES } from '../theme/theme';
import { VaultSettings } from '../settings/VaultSettings';

function Preferences() {
  const t = useT();
  const locale = usePreferences((state) => state.locale);
  const theme = usePreferences((state) => state.theme);
  const setLocale = usePreferences((state) => state.setLocale);
  const setTheme = usePreferences((state) => state.setTheme);
  return (
    <div className="form-row">
      <Field label={t('settings.language')}>
        <select value={locale} onChange={(event) => isLocale(event.target.value) && setLocale(event.target.value)}>
          {LOCALES.map((item) => (
            <option key={item} value={item} lang={item}>
              {t(`language.${item}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('settings.theme')}>
        <select value={theme} onChange={(event) => isThemePreference(event.target.value) && setTheme(event.target.value)}>
          {THEME_PREFERENCES.map((item) => (
            <option key={item} value={item}>
              {t(`theme.${item}`)}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

function About() {
  const t = useT();
  const info = useAppStore((state) => state.info);
  const error = useAppStore((state) => state.error);
  const load = useAppStore((state) => state.load);
  useEffect(() => void load(), [load]);
  if (error) return <ErrorNotice error={error} />;
  if (!info) return null;
  return (
    <dl className="facts" data-testid="about">
      <dt>{t('settings.app')}</dt>
      <dd>{info.appVersion}</dd>
      <dt>{t('settings.host')}</dt>
      <dd>{info.host}</dd>
      <dt>{t('settings.dataDir')}</dt>
      <dd data-testid="data-dir">{info.dataDir}</dd>
      <dt>{t('settings.stationId')}</dt>
      <dd>{info.stationId}</dd>
      <dt>{t('settings.node')}</dt>
      <dd>{info.versions.node}</dd>
      <dt>{t('settings.electron')}</dt>
      <dd>{info.versions.electron ?? t('settings.electronNone')}</dd>
      <dt>{t('settings.sqlite')}</dt>
      <dd>{info.versions.sqlite}</dd>
    </dl>
  );
}

export function SettingsPage() {
  const t = useT();
  return (
    <section className="panel" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <h2>{t('settings.preferences')}</h2>
      <Preferences />
      <h2>{t('settings.vault')}</h2>
      <VaultSettings />
      <h2>{t('settings.about')}</h2>
      <About />
    </section>
  );
}
