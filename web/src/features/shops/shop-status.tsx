// The shop status as a coloured badge, with the moderator's reason when the shop was rejected.
import { useTexts } from '../../lib/i18n';
import type { Shop } from '../../lib/types';
import { shopTexts } from './shops.texts';

export function ShopStatusBadge({ shop, withReason = true }: { shop: Shop; withReason?: boolean }) {
  const t = useTexts(shopTexts);
  return (
    <span className="status-with-reason">
      <span className={`badge badge-${shop.status}`}>{t(`status.${shop.status}`)}</span>
      {withReason && shop.status === 'rejected' && shop.rejectionReason && (
        <span className="reason">{t('status.reason', { reason: shop.rejectionReason })}</span>
      )}
    </span>
  );
}
