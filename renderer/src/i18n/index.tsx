import { useMemo } from 'react';
import { usePreferences } from '../stores';
import { translator, type Translate } from './catalog';
import type { Locale } from './translate';

export type { MessageKey } from './en';
export { describeError, type Translate } from './catalog';
export { LOCALES, type Locale } from './translate';

export function useLocale(): Locale {
  return usePreferences((state) => state.locale);
}

/** The translate function of the chosen language; components re-render when it changes. */
export function useT(): Translate {
  const locale = useLocale();
  return useMemo(() => translator(locale), [locale]);
}
