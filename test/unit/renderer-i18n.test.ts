import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES } from '../../shared/errors';
import { describeError, translator } from '../../renderer/src/i18n/catalog';
import { en } from '../../renderer/src/i18n/en';
import { interpolate, localeFromLanguages } from '../../renderer/src/i18n/translate';
import { zhCN } from '../../renderer/src/i18n/zh-CN';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('message catalog', () => {
  it('has every English key in Chinese, with the same placeholders and a real translation for navigation', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
      expect(zhCN[key], key).not.toBe('');
    }
    for (const key of Object.keys(en).filter((name) => name.startsWith('nav.'))) {
      expect(zhCN[key as keyof typeof en]).not.toBe(en[key as keyof typeof en]);
    }
  });

  it('fills placeholders and leaves an unknown one visible', () => {
    expect(interpolate('Error {code}: {code}', { code: 'TIMEOUT' })).toBe('Error TIMEOUT: TIMEOUT');
    expect(interpolate('{count} devices', {})).toBe('{count} devices');
    expect(translator('zh-CN')('hub.online', { count: 3 })).toBe('3 台设备在线');
    expect(translator('en')('theme.toggle', { theme: 'dark' })).toBe('Theme: dark');
  });

  it('starts in Chinese only for a Chinese browser', () => {
    expect(localeFromLanguages(['zh-TW', 'en'])).toBe('zh-CN');
    expect(localeFromLanguages(['de-DE', 'zh-CN'])).toBe('zh-CN');
    expect(localeFromLanguages(['en-US'])).toBe('en');
    expect(localeFromLanguages([])).toBe('en');
  });
});

describe('error display text', () => {
  it('shows a default message once, translated, without repeating it as advice', () => {
    const error = { code: 'DISCONNECTED' as const, message: ERROR_MESSAGES.DISCONNECTED };
    expect(describeError(error, 'en')).toEqual({ code: 'DISCONNECTED', message: ERROR_MESSAGES.DISCONNECTED, hint: null });
    expect(describeError(error, 'zh-CN')).toEqual({ code: 'DISCONNECTED', message: '与服务的连接已断开。', hint: null });
  });

  it("keeps a specific message and adds the code's advice", () => {
    const error = { code: 'NOT_INITIALIZED' as const, message: 'No database in /tmp/x.' };
    expect(describeError(error, 'en')).toEqual({ code: 'NOT_INITIALIZED', message: 'No database in /tmp/x.', hint: ERROR_MESSAGES.NOT_INITIALIZED });
    expect(describeError(error, 'zh-CN').hint).toContain('commissioner init');
  });

  it('falls back to the contract English for a code without a Chinese text', () => {
    const error = { code: 'SYNC_CLOCK_SKEW' as const, message: 'skew of 20 min' };
    expect(describeError(error, 'zh-CN').hint).toBe(ERROR_MESSAGES.SYNC_CLOCK_SKEW);
  });
});
