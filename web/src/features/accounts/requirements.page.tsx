/**
 * /requirements: what a merchant's site must show before a shop passes moderation. These follow the
 * usual rules of acquiring banks and consumer-protection law in Russia and Kazakhstan.
 */
import { defineTexts, useTexts } from '../../lib/i18n';
import { useDocumentTitle } from '../../lib/ui';

const texts = defineTexts({
  ru: {
    title: 'Требования к сайту',
    intro:
      'Перед подключением приёма платежей мы проверяем сайт магазина. Банки-эквайеры требуют, чтобы покупатель видел, у кого он покупает и на каких условиях. На сайте должно быть:',
    seller: 'Наименование продавца: название организации, ИП или ФИО самозанятого.',
    ids: 'ИНН и ОГРН (ОГРНИП) — для России; БИН или ИИН — для Казахстана.',
    contacts: 'Контактный телефон и адрес электронной почты.',
    hours: 'Режим работы: часы, в которые вы принимаете заказы и отвечаете покупателям.',
    address: 'Фактический и юридический адрес.',
    rules: 'Правила оформления заказа, оплаты, доставки и возврата товара или денег.',
    goods: 'Описания товаров и услуг с ценами.',
    offer: 'Публичная оферта или договор, который покупатель принимает при оплате.',
    privacy: 'Политика конфиденциальности: какие персональные данные вы собираете и как их используете.',
    https: 'Работа по HTTPS с действующим сертификатом.',
    domain: 'Все страницы — на одном домене: каталог, корзина и оплата не уводят покупателя на чужие сайты.',
    after:
      'Если на момент проверки чего-то не хватает, модерация отклонит магазин и назовёт причину. Исправьте сайт и отправьте магазин на модерацию ещё раз.',
  },
  en: {
    title: 'Site requirements',
    intro:
      'Before a shop can accept payments, we review its website. Acquiring banks require buyers to see whom they buy from and on what terms. The site must show:',
    seller: 'The seller’s name: the company, the sole proprietor or the self-employed person.',
    ids: 'INN and OGRN (OGRNIP) for Russia; BIN or IIN for Kazakhstan.',
    contacts: 'A contact phone number and e-mail address.',
    hours: 'Working hours: when you take orders and answer buyers.',
    address: 'The actual and the legal address.',
    rules: 'The rules of ordering, payment, delivery and returns of goods or money.',
    goods: 'Descriptions of goods and services with prices.',
    offer: 'A public offer or contract that the buyer accepts by paying.',
    privacy: 'A privacy policy: what personal data you collect and how you use it.',
    https: 'HTTPS with a valid certificate.',
    domain:
      'All pages on one domain: the catalogue, the cart and the payment do not send the buyer to other sites.',
    after:
      'If anything is missing at review time, moderation rejects the shop and gives the reason. Fix the site and send the shop for moderation again.',
  },
});

const ITEMS = [
  'seller',
  'ids',
  'contacts',
  'hours',
  'address',
  'rules',
  'goods',
  'offer',
  'privacy',
  'https',
  'domain',
] as const;

export function RequirementsPage() {
  const t = useTexts(texts);
  useDocumentTitle(t('title'));
  return (
    <article className="card narrow">
      <h1>{t('title')}</h1>
      <p>{t('intro')}</p>
      <ul className="checklist">
        {ITEMS.map((item) => (
          <li key={item}>{t(item)}</li>
        ))}
      </ul>
      <p>{t('after')}</p>
    </article>
  );
}
