import { describe, expect, it } from 'vitest';
import { formatText, localize, pickLanguage } from '../../src/platform/i18n.js';

describe('pickLanguage', () => {
  it('defaults to Russian', () => {
    expect(pickLanguage(undefined, undefined)).toBe('ru');
    expect(pickLanguage(undefined, '')).toBe('ru');
    expect(pickLanguage(undefined, 'de-DE,fr;q=0.8')).toBe('ru');
  });

  it('lets an explicit choice win over the browser', () => {
    expect(pickLanguage('en', 'ru-RU,ru;q=0.9')).toBe('en');
    expect(pickLanguage('ru', 'en-US,en;q=0.9')).toBe('ru');
  });

  it('ignores an explicit value it does not know', () => {
    expect(pickLanguage('de', 'en')).toBe('en');
    expect(pickLanguage('EN', undefined)).toBe('ru');
  });

  it('follows Accept-Language by quality, not by order', () => {
    expect(pickLanguage(undefined, 'ru;q=0.5, en;q=0.9')).toBe('en');
    expect(pickLanguage(undefined, 'en;q=0.4,ru;q=0.6')).toBe('ru');
    expect(pickLanguage(undefined, 'en-US,en;q=0.9,ru;q=0.8')).toBe('en');
    expect(pickLanguage(undefined, 'ru-RU,ru;q=0.9,en-US;q=0.8')).toBe('ru');
  });

  it('keeps the header order between equal qualities', () => {
    expect(pickLanguage(undefined, 'en,ru')).toBe('en');
    expect(pickLanguage(undefined, 'ru,en')).toBe('ru');
  });

  it('skips unsupported languages and those refused with q=0', () => {
    expect(pickLanguage(undefined, 'de-DE,de;q=0.9,en;q=0.5')).toBe('en');
    expect(pickLanguage(undefined, 'en;q=0, de')).toBe('ru');
    expect(pickLanguage(undefined, 'EN-gb')).toBe('en');
  });
});

describe('formatText', () => {
  it('fills known placeholders and leaves unknown ones', () => {
    expect(formatText('{a} and {b}, {a}', { a: 'x', b: 2 })).toBe('x and 2, x');
    expect(formatText('{missing}', {})).toBe('{missing}');
  });

  it('localizes a text pair', () => {
    expect(localize({ ru: 'Привет, {name}', en: 'Hello, {name}' }, 'en', { name: 'Ann' })).toBe('Hello, Ann');
  });
});
