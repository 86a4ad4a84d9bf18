// The payment methods the shop takes, on its page: read-only, because the operator switches methods
// (a method has its own contract and checks); the merchant asks support for more.
import { Link } from 'react-router-dom';
import { defineTexts, useLanguage, useTexts, type Translate } from '../../lib/i18n';
import type { Language } from '../../lib/types';
import { ErrorAlert, Loading } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';

interface ShopMethod {
  label: string;
  alias: string;
  name: { ru: string; en: string };
  group: { code: string; description: { ru: string; en: string } };
  minMinor: string | null;
  maxMinor: string | null;
  currencies: string[];
}

const texts = defineTexts({
  ru: {
    title: 'Способы оплаты',
    intro:
      'Что покупатели видят на странице оплаты. IncCurrLabel — метка, которой магазин выбирает способ заранее.',
    method: 'Способ',
    label: 'IncCurrLabel',
    limits: 'Сумма платежа',
    currencies: 'Валюты',
    noLimits: 'без ограничений',
    from: 'от {amount}',
    to: 'до {amount}',
    more: 'Нужны другие способы оплаты? Напишите в поддержку — подключение проверяет оператор.',
    support: 'Написать в поддержку',
    none: 'Ни один способ оплаты не подключён.',
    loading: 'Загружаем способы оплаты…',
  },
  en: {
    title: 'Payment methods',
    intro:
      'What buyers see on the payment page. IncCurrLabel is the label a shop uses to preselect a method.',
    method: 'Method',
    label: 'IncCurrLabel',
    limits: 'Payment amount',
    currencies: 'Currencies',
    noLimits: 'no limits',
    from: 'from {amount}',
    to: 'up to {amount}',
    more: 'Need other payment methods? Write to support — the operator checks and enables them.',
    support: 'Write to support',
    none: 'No payment method is enabled.',
    loading: 'Loading the payment methods…',
  },
});

/** Minor units as whole units for people: '100000000' → '1 000 000', '1050' → '10,50'. */
function amount(minor: string, language: Language): string {
  return new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    minimumFractionDigits: minor.endsWith('00') ? 0 : 2,
  }).format(Number(minor) / 100);
}

function limits(method: ShopMethod, t: Translate<keyof typeof texts.ru>, language: Language): string {
  const parts = [
    method.minMinor !== null ? t('from', { amount: amount(method.minMinor, language) }) : '',
    method.maxMinor !== null ? t('to', { amount: amount(method.maxMinor, language) }) : '',
  ].filter((part) => part !== '');
  return parts.length === 0 ? t('noLimits') : parts.join(' ');
}

export function ShopMethodsSection({ shopId }: { shopId: string }) {
  const t = useTexts(texts);
  const { language } = useLanguage();
  const { resource } = useResource<{ items: ShopMethod[] }>(
    `/api/cabinet/shops/${encodeURIComponent(shopId)}/methods`,
  );
  return (
    <section className="card" aria-labelledby="shop-methods-title">
      <h2 id="shop-methods-title">{t('title')}</h2>
      <p className="muted">{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && resource.data.items.length === 0 && <p>{t('none')}</p>}
      {resource.status === 'ready' && resource.data.items.length > 0 && (
        <table className="table responsive-table">
          <thead>
            <tr>
              <th scope="col">{t('method')}</th>
              <th scope="col">{t('label')}</th>
              <th scope="col">{t('limits')}</th>
              <th scope="col">{t('currencies')}</th>
            </tr>
          </thead>
          <tbody>
            {resource.data.items.map((method) => (
              <tr key={method.label}>
                <td data-label={t('method')}>{method.name[language]}</td>
                <td data-label={t('label')}>
                  <code>{method.label}</code>
                </td>
                <td data-label={t('limits')}>{limits(method, t, language)}</td>
                <td data-label={t('currencies')}>{method.currencies.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        {t('more')} <Link to="/cabinet/support">{t('support')}</Link>
      </p>
    </section>
  );
}
