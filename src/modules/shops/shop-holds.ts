/**
 * The operator's switch for holds (StepByStep) of a shop. Robokassa allows holds "by prior agreement
 * only" (reference §6) and refuses them otherwise with error 64; Kopek does the same in payment start.
 * The change is audited in its own transaction, under the shop's row lock.
 */
import type { Deps } from '../../deps.js';
import { recordAudit } from '../audit/index.js';
import { shopErrors } from './shop.errors.js';

export interface HoldPermissionView {
  readonly shopId: string;
  readonly merchantLogin: string;
  readonly isHoldAllowed: boolean;
}

export async function setHoldAllowed(
  deps: Deps,
  change: { operatorUserId: string; shopId: string; isAllowed: boolean; ip: string },
): Promise<HoldPermissionView> {
  return deps.db.transaction().execute(async (trx) => {
    const shop = await trx
      .selectFrom('shops')
      .select(['id', 'account_id', 'merchant_login', 'is_hold_allowed'])
      .where('id', '=', change.shopId)
      .forUpdate()
      .executeTakeFirst();
    if (!shop) throw shopErrors.shopNotFound();
    if (shop.is_hold_allowed !== change.isAllowed) {
      await trx
        .updateTable('shops')
        .set({ is_hold_allowed: change.isAllowed, updated_at: deps.clock.now() })
        .where('id', '=', shop.id)
        .execute();
      await recordAudit(trx, deps.clock, {
        accountId: shop.account_id,
        actorUserId: change.operatorUserId,
        action: change.isAllowed ? 'shop.holds_allowed' : 'shop.holds_disallowed',
        target: shop.id,
        ip: change.ip,
      });
    }
    return { shopId: shop.id, merchantLogin: shop.merchant_login, isHoldAllowed: change.isAllowed };
  });
}
