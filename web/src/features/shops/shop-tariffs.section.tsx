// The shop's fees on its page: per payment method, the tariff in effect now and the next scheduled
// change (the operator announces an increase at least 14 days ahead; the inbox has the notice too).
import { defineTexts, useLanguage, useTexts, type Translate } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import { ErrorAlert, Loading } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';

interface Terms {
  source: 'shop' | 'default';
  percentBasisPoints: number;
  fixedMinor: string;
  minimumMinor: string;
  effectiveFrom: string;
}
interface ShopTariff {
  methodGroup: string;
  description: { ru: string; en: string };
  current: Terms | null;
  next: Terms | null;
}

const texts = defineTexts({
  ru: {
    title: 'Комиссия Kopek',
    intro: 'Сколько платформа берёт с платежа каждым способом. О повышении мы сообщаем заранее.',
    method: 'Способ оплаты',
    now: 'Сейчас',
    next: 'Изменение',
    none: 'без комиссии',
    noChange: 'не запланировано',
    nextValue: 'с {date}: {terms}',
    fixed: '+ {amount}',
    minimum: 'не меньше {amount}',
    own: 'индивидуальный тариф',
    loading: 'Загружаем тарифы…',
  },
  en: {
    title: 'Kopek fees',
    intro: 'What the platform takes from a payment with each method. We announce increases in advance.',
    method: 'Payment method',
    now: 'Now',
    next: 'Change',
    none: 'no fee',
    noChange: 'none scheduled',
    nextValue: 'from {date}: {terms}',
    fixed: '+ {amount}',
    minimum: 'at least {amount}',
    own: 'individual tariff',
    loading: 'Loading the fees…',
  },
});

type Text = Translate<keyof typeof texts.ru>;

/** Minor units as a decimal: '1050' → '10,50' (two decimals for every currency Kopek has). */
function decimal(minor: string, language: Language): string {
  const padded = minor.padStart(3, '0');
  return `${padded.slice(0, -2)}${language === 'ru' ? ',' : '.'}${padded.slice(-2)}`;
}

function describe(terms: Terms | null, t: Text, language: Language): string {
  if (!terms) return t('none');
  const parts = [
    `${(terms.percentBasisPoints / 100).toLocaleString(language === 'ru' ? 'ru-RU' : 'en-GB')}%`,
  ];
  if (terms.fixedMinor !== '0') parts.push(t('fixed', { amount: decimal(terms.fixedMinor, language) }));
  if (terms.minimumMinor !== '0') parts.push(t('minimum', { amount: decimal(terms.minimumMinor, language) }));
  if (terms.source === 'shop') parts.push(`(${t('own')})`);
  return parts.join(' ');
}

export function ShopTariffsSection({ shopId }: { shopId: string }) {
  const t = useTexts(texts);
  const { language } = useLanguage();
  const { resource } = useResource<{ items: ShopTariff[] }>(
    `/api/cabinet/shops/${encodeURIComponent(shopId)}/tariffs`,
  );
  return (
    <section className="card" aria-labelledby="shop-tariffs-title">
      <h2 id="shop-tariffs-title">{t('title')}</h2>
      <p className="muted">{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('method')}</th>
              <th scope="col">{t('now')}</th>
              <th scope="col">{t('next')}</th>
            </tr>
          </thead>
          <tbody>
            {resource.data.items.map((item) => (
              <tr key={item.methodGroup}>
                <td data-label={t('method')}>{item.description[language]}</td>
                <td data-label={t('now')}>{describe(item.current, t, language)}</td>
                <td data-label={t('next')}>
                  {item.next
                    ? t('nextValue', {
                        // The start is 00:00 Moscow time: the date as the notice names it.
                        date: new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
                          dateStyle: 'medium',
                          timeZone: 'Europe/Moscow',
                        }).format(new Date(item.next.effectiveFrom)),
                        terms: describe(item.next, t, language),
                      })
                    : t('noChange')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
