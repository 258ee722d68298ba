import { ERROR_MESSAGES } from '../../../shared/errors';
import type { AppError } from '../../../shared/result';
import { en, type MessageKey } from './en';
import { errorHintsZhCN } from './errors-zh-CN';
import { interpolate, type Locale, type Params } from './translate';
import { zhCN } from './zh-CN';

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type Translate = (key: MessageKey, params?: Params) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => interpolate(catalog[key] ?? en[key], params);
}

export interface ErrorText {
  code: string;
  /** What happened: the service's own message, which names the thing. */
  message: string;
  /** What to do: the code's catalog text, when it adds something to the message. */
  hint: string | null;
}

/**
 * The contract's message for an error and the code's advice in the chosen language. A message
 * that is just the code's default is shown once, translated; a specific one keeps its words and
 * gets the code's default text as the advice.
 */
export function describeError(error: AppError, locale: Locale): ErrorText {
  const contractText = ERROR_MESSAGES[error.code];
  const localized = (locale === 'zh-CN' ? errorHintsZhCN[error.code] : undefined) ?? contractText;
  if (error.message === contractText) return { code: error.code, message: localized, hint: null };
  return { code: error.code, message: error.message, hint: localized ?? null };
}
