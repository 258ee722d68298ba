import { createStore } from 'zustand/vanilla';
import { isLocale, type Locale } from '../i18n/translate';
import { isThemePreference, type ThemePreference } from '../theme/theme';

/** The part of localStorage the store needs; tests hand in a Map-backed one. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const LOCALE_KEY = 'commissioner.locale';
export const THEME_KEY = 'commissioner.theme';

export interface PreferencesState {
  locale: Locale;
  theme: ThemePreference;
  setLocale(locale: Locale): void;
  setTheme(theme: ThemePreference): void;
}

/** Language and theme, kept in the browser's storage (they belong to the screen, not the station). */
export function createPreferencesStore(storage: KeyValueStorage, defaults: { locale: Locale }) {
  const storedLocale = storage.getItem(LOCALE_KEY);
  const storedTheme = storage.getItem(THEME_KEY);
  return createStore<PreferencesState>((set) => ({
    locale: isLocale(storedLocale) ? storedLocale : defaults.locale,
    theme: isThemePreference(storedTheme) ? storedTheme : 'system',
    setLocale(locale) {
      storage.setItem(LOCALE_KEY, locale);
      set({ locale });
    },
    setTheme(theme) {
      storage.setItem(THEME_KEY, theme);
      set({ theme });
    },
  }));
}
