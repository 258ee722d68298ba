import { useT } from '../i18n';
import { usePreferences } from '../stores';
import { toggledTheme } from '../theme/theme';
import { useAppliedTheme, useSystemPrefersDark } from '../theme/useTheme';

export function ThemeToggle() {
  const t = useT();
  const preference = usePreferences((state) => state.theme);
  const setTheme = usePreferences((state) => state.setTheme);
  const systemDark = useSystemPrefersDark();
  const theme = useAppliedTheme();
  return (
    <button type="button" className="theme-toggle" aria-pressed={theme === 'dark'} data-testid="theme-toggle" onClick={() => setTheme(toggledTheme(preference, systemDark))}>
      {t('theme.toggle', { theme: t(`theme.${theme}`) })}
    </button>
  );
}
