/** The languages the UI speaks; the first is the fallback for anything missing. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export type Params = Record<string, string | number>;

/** Fills `{name}` placeholders; a placeholder without a value stays visible so the gap is noticed. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The locale to start with when the user has not chosen: Chinese for a zh browser, English otherwise. */
export function localeFromLanguages(languages: readonly string[]): Locale {
  return languages.some((language) => language.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale);
}
