/** The user's choice; `system` follows the OS (prefers-color-scheme). */
export const THEME_PREFERENCES = ['system', 'light', 'dark'] as const;
export type ThemePreference = (typeof THEME_PREFERENCES)[number];
export type Theme = 'light' | 'dark';

export function isThemePreference(value: unknown): value is ThemePreference {
  return THEME_PREFERENCES.includes(value as ThemePreference);
}

export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): Theme {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}

/** The toggle flips what is on screen and makes that an explicit choice. */
export function toggledTheme(preference: ThemePreference, systemPrefersDark: boolean): Theme {
  return resolveTheme(preference, systemPrefersDark) === 'dark' ? 'light' : 'dark';
}
