/**
 * Languages: Russian is the default everywhere; English is complete. Texts are kept as { ru, en } pairs
 * next to the code that uses them, so a missing translation is a type error.
 */
export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'ru';

export type LocalizedText = Readonly<Record<Language, string>>;

export function isLanguage(value: unknown): value is Language {
  return value === 'ru' || value === 'en';
}

/** Explicit choice first (a cookie or a parameter), then the browser's Accept-Language, then Russian. */
export function pickLanguage(explicit: string | undefined, acceptLanguage: string | undefined): Language {
  if (isLanguage(explicit)) return explicit;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...parameters] = part.trim().toLowerCase().split(';');
      const quality = parameters.find((p) => p.trim().startsWith('q='));
      return { language: tag.split('-')[0], quality: quality ? Number(quality.trim().slice(2)) : 1 };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality);
  const found = ranked.find((entry) => isLanguage(entry.language));
  return found && isLanguage(found.language) ? found.language : DEFAULT_LANGUAGE;
}

/** Replaces {name} placeholders. */
export function formatText(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export function localize(
  text: LocalizedText,
  language: Language,
  values?: Record<string, string | number>,
): string {
  return formatText(text[language], values);
}
