import { useEffect, useSyncExternalStore } from 'react';
import { usePreferences } from '../stores';
import { resolveTheme, type Theme } from './theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function subscribeSystem(onChange: () => void) {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

export function useSystemPrefersDark(): boolean {
  return useSyncExternalStore(subscribeSystem, () => window.matchMedia(DARK_QUERY).matches);
}

/** The theme on screen; sets `data-theme` on <html> so the stylesheet's variables follow. */
export function useAppliedTheme(): Theme {
  const preference = usePreferences((state) => state.theme);
  const theme = resolveTheme(preference, useSystemPrefersDark());
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}
