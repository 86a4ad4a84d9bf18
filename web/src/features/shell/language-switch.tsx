// RU/EN switch shown in the header of every page. For a signed-in person the choice is also saved on the
// server, so e-mails reach them in the language they use.
import { api } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import { useSession } from './session';

const LANGUAGES: readonly { value: Language; label: string; name: string }[] = [
  { value: 'ru', label: 'RU', name: 'Русский' },
  { value: 'en', label: 'EN', name: 'English' },
];

export function LanguageSwitch() {
  const { language, setLanguage } = useLanguage();
  const { state } = useSession();
  const t = useTexts(commonTexts);
  const choose = (next: Language) => {
    setLanguage(next);
    // Best effort: the page has already switched; a failed save only affects the language of e-mails.
    if (state.status === 'signed_in') api.patch('/api/cabinet/me', { language: next }).catch(() => undefined);
  };
  return (
    <div className="language-switch" role="group" aria-label={t('languageSwitch')}>
      {LANGUAGES.map((option) => (
        <button
          key={option.value}
          type="button"
          lang={option.value}
          aria-pressed={language === option.value}
          title={option.name}
          onClick={() => choose(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
