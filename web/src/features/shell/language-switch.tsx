// RU/EN switch shown in the header of every page.
import { commonTexts } from '../../lib/common.texts';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Language } from '../../lib/types';

const LANGUAGES: readonly { value: Language; label: string; name: string }[] = [
  { value: 'ru', label: 'RU', name: 'Русский' },
  { value: 'en', label: 'EN', name: 'English' },
];

export function LanguageSwitch() {
  const { language, setLanguage } = useLanguage();
  const t = useTexts(commonTexts);
  return (
    <div className="language-switch" role="group" aria-label={t('languageSwitch')}>
      {LANGUAGES.map((option) => (
        <button
          key={option.value}
          type="button"
          lang={option.value}
          aria-pressed={language === option.value}
          title={option.name}
          onClick={() => setLanguage(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
