/**
 * The operator's switch for recurring and saved-card payments of a shop (Robokassa: "by agreement",
 * error 34 otherwise). The change is audited in its own transaction, under the shop's row lock.
 */
import type { Deps } from '../../deps.js';
import { defineErrors } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/index.js';

export const recurringErrors = defineErrors({
  shopNotFound: { status: 404, ru: 'Магазин не найден.', en: 'Shop not found.' },
});

export interface RecurringPermissionView {
  readonly shopId: string;
  readonly merchantLogin: string;
  readonly isRecurringAllowed: boolean;
}

export async function setRecurringAllowed(
  deps: Deps,
  change: { operatorUserId: string; shopId: string; isAllowed: boolean; ip: string },
): Promise<RecurringPermissionView> {
  return deps.db.transaction().execute(async (trx) => {
    const shop = await trx
      .selectFrom('shops')
      .select(['id', 'account_id', 'merchant_login', 'is_recurring_allowed'])
      .where('id', '=', change.shopId)
      .forUpdate()
      .executeTakeFirst();
    if (!shop) throw recurringErrors.shopNotFound();
    if (shop.is_recurring_allowed !== change.isAllowed) {
      await trx
        .updateTable('shops')
        .set({ is_recurring_allowed: change.isAllowed, updated_at: deps.clock.now() })
        .where('id', '=', shop.id)
        .execute();
      await recordAudit(trx, deps.clock, {
        accountId: shop.account_id,
        actorUserId: change.operatorUserId,
        action: change.isAllowed ? 'shop.recurring_allowed' : 'shop.recurring_disallowed',
        target: shop.id,
        ip: change.ip,
      });
    }
    return {
      shopId: shop.id,
      merchantLogin: shop.merchant_login,
      isRecurringAllowed: change.isAllowed,
    };
  });
}
