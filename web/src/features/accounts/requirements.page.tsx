/**
 * /requirements: what a merchant's site must show before a shop passes moderation. These follow the
 * usual rules of acquiring banks and consumer-protection law in Russia and Kazakhstan.
 */
import { defineTexts, useLanguage, useTexts } from '../../lib/i18n';
import { ErrorAlert, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';

const texts = defineTexts({
  ru: {
    title: 'Требования к сайту',
    intro:
      'Перед подключением приёма платежей мы проверяем сайт магазина. Банки-эквайеры требуют, чтобы покупатель видел, у кого он покупает и на каких условиях. На сайте должно быть:',
    after:
      'Если на момент проверки чего-то не хватает, модерация отклонит магазин и назовёт причину. Исправьте сайт и отправьте магазин на модерацию ещё раз.',
  },
  en: {
    title: 'Site requirements',
    intro:
      'Before a shop can accept payments, we review its website. Acquiring banks require buyers to see whom they buy from and on what terms. The site must show:',
    after:
      'If anything is missing at review time, moderation rejects the shop and gives the reason. Fix the site and send the shop for moderation again.',
  },
});

/** The list itself comes from the server: the same one the moderators tick when they review a shop. */
interface SiteRequirement {
  key: string;
  text: { ru: string; en: string };
}

export function RequirementsPage() {
  const t = useTexts(texts);
  const { language } = useLanguage();
  useDocumentTitle(t('title'));
  const { resource } = useResource<{ items: SiteRequirement[] }>('/api/cabinet/site-requirements');
  return (
    <article className="card narrow">
      <h1>{t('title')}</h1>
      <p>{t('intro')}</p>
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      <ul className="checklist">
        {resource.status === 'ready' &&
          resource.data.items.map((item) => <li key={item.key}>{item.text[language]}</li>)}
      </ul>
      <p>{t('after')}</p>
    </article>
  );
}
