/**
 * Languages of the interface. Russian is the default, English is complete. Every feature keeps its texts
 * in a `{ ru, en }` dictionary made with defineTexts: the English half must have exactly the Russian keys,
 * and t() accepts only those keys, so a missing or misspelt text is a type error.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Language } from './types';

const COOKIE_NAME = 'kopek_lang';
const ONE_YEAR_SECONDS = 31536000;

export type TextValues = Readonly<Record<string, string | number>>;
export type Texts<K extends string> = { readonly ru: Record<K, string>; readonly en: Record<K, string> };
export type Translate<K extends string> = (key: K, values?: TextValues) => string;

/** Keys are inferred from the Russian half only; NoInfer makes the English half follow them. */
export function defineTexts<K extends string>(texts: {
  ru: Record<K, string>;
  en: NoInfer<Record<K, string>>;
}): Texts<K> {
  return texts;
}

/** Replaces {name} placeholders; an unknown placeholder stays visible rather than vanishing. */
export function formatText(template: string, values: TextValues = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function detectLanguage(): Language {
  const fromCookie = readCookie(COOKIE_NAME);
  if (fromCookie === 'ru' || fromCookie === 'en') return fromCookie;
  return navigator.language.toLowerCase().startsWith('en') ? 'en' : 'ru';
}

// The API client is not a component, yet its own fallback messages must follow the chosen language.
let activeLanguage: Language = 'ru';
export function currentLanguage(): Language {
  return activeLanguage;
}

interface LanguageContextValue {
  language: Language;
  setLanguage: (language: Language) => void;
}

const LanguageContext = createContext<LanguageContextValue | null>(null);

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(detectLanguage);
  activeLanguage = language;

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    // The server reads the same cookie, so its error messages switch language too.
    document.cookie = `${COOKIE_NAME}=${next}; path=/; max-age=${ONE_YEAR_SECONDS}; samesite=lax`;
    setLanguageState(next);
  }, []);

  const value = useMemo(() => ({ language, setLanguage }), [language, setLanguage]);
  return <LanguageContext.Provider value={value}>{children}</LanguageContext.Provider>;
}

export function useLanguage(): LanguageContextValue {
  const value = useContext(LanguageContext);
  if (!value) throw new Error('useLanguage must be used inside LanguageProvider');
  return value;
}

export function useTexts<K extends string>(texts: Texts<K>): Translate<K> {
  const { language } = useLanguage();
  return useCallback(
    (key: K, values?: TextValues) => formatText(texts[language][key], values),
    [texts, language],
  );
}
