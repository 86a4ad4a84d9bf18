// Shops as a table on wide screens; CSS turns each row into a card on a phone.
import { Link } from 'react-router-dom';
import { formatDate } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { Shop } from '../../lib/types';
import { ShopStatusBadge } from './shop-status';
import { shopTexts } from './shops.texts';

export function ShopTable({ shops }: { shops: readonly Shop[] }) {
  const t = useTexts(shopTexts);
  const { language } = useLanguage();
  return (
    <table className="table responsive-table">
      <thead>
        <tr>
          <th scope="col">{t('column.name')}</th>
          <th scope="col">{t('column.site')}</th>
          <th scope="col">{t('column.merchantLogin')}</th>
          <th scope="col">{t('column.status')}</th>
          <th scope="col">{t('column.created')}</th>
        </tr>
      </thead>
      <tbody>
        {shops.map((shop) => (
          <tr key={shop.id}>
            <td data-label={t('column.name')}>
              <Link to={`/cabinet/shops/${encodeURIComponent(shop.id)}`}>{shop.name}</Link>
            </td>
            <td data-label={t('column.site')} className="break">
              {shop.siteUrl}
            </td>
            <td data-label={t('column.merchantLogin')}>
              <code>{shop.merchantLogin}</code>
            </td>
            <td data-label={t('column.status')}>
              <ShopStatusBadge shop={shop} />
            </td>
            <td data-label={t('column.created')}>{formatDate(shop.createdAt, language)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
