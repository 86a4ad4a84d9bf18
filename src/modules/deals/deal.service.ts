/**
 * Safe deals from the merchant's and the operator's side: creating one (cabinet and JSON API), the
 * merchant's cancellation (before payment it simply ends; after payment the buyer gets the money back),
 * the operator's decision on a dispute, and the release of deals whose deadline has passed.
 * Every change locks the deal row first and checks its status under the lock, so two requests racing
 * on one deal (a double click, the buyer confirming while the deadline passes) change it once.
 */
import type { Deps } from '../../deps.js';
import { createSecretToken, hashToken } from '../../platform/crypto.js';
import { createId } from '../../platform/ids.js';
import type { ShopsTable } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { dealErrors } from './deal.errors.js';
import type { ValidDealTerms } from './deal.input.js';
import { mailBuyerLink } from './deal.notices.js';
import { withDealTables, withDealTablesInTransaction, type DealRow, type DealSource } from './deal.tables.js';
import { cancelUnpaidLockedDeal, lockDeal, refundLockedDeal, releaseLockedDeal } from './deal.transitions.js';

/** Deals released per deadline run; the periodic task runs again soon. */
export const DEAL_RELEASE_BATCH_SIZE = 100;
/** How often the worker looks for deals past their deadline. */
export const DEAL_RELEASE_INTERVAL_MS = 5 * 60_000;

export interface DealActor {
  readonly accountId: string;
  /** The cabinet user; null for the JSON API. */
  readonly userId: string | null;
  readonly apiKeyId?: string | null;
  readonly ip: string | null;
}

/** The buyer's page: `/deal/<secret>`, 32 random bytes in base64url. */
export function dealUrl(publicUrl: string, secret: string): string {
  return `${publicUrl}/deal/${secret}`;
}

/** The rules of payment start (errors 25 and 41), applied when the deal is made, so it is never a dud. */
function checkShopMayTake(deps: Deps, shop: ShopsTable, isTest: boolean): void {
  if (isTest) return;
  if (deps.config.isProduction && deps.providers.cardAcquirer.isSandbox)
    throw dealErrors.sandboxTakesTestPaymentsOnly();
  if (shop.status !== 'active') throw dealErrors.shopTakesTestPaymentsOnly();
}

/**
 * Creates the deal and mails its link to the buyer, in one transaction. The link's secret is stored
 * only as its SHA-256 and never shown to the merchant: whoever holds it can confirm receipt.
 */
export async function createDeal(
  deps: Deps,
  shop: ShopsTable,
  terms: ValidDealTerms,
  origin: DealActor & { readonly source: DealSource },
): Promise<DealRow> {
  checkShopMayTake(deps, shop, terms.isTest);
  const secret = createSecretToken(32);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const deal = await withDealTablesInTransaction(trx)
      .insertInto('deals')
      .values({
        id: createId('deal'),
        shop_id: shop.id,
        account_id: shop.account_id,
        source: origin.source,
        is_test: terms.isTest,
        status: 'created',
        amount_minor: terms.amountMinor,
        currency: 'RUB',
        description: terms.description,
        buyer_email: terms.buyerEmail,
        language: terms.language,
        deadline_days: terms.deadlineDays,
        secret_hash: hashToken(secret),
        payment_id: null,
        paid_at: null,
        release_at: null,
        dispute_text: null,
        disputed_at: null,
        resolution: null,
        resolved_by: null,
        resolution_note: null,
        resolved_at: null,
        created_by: origin.userId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await mailBuyerLink(trx, deps, deal, dealUrl(deps.config.publicUrl, secret));
    await recordAudit(trx, deps.clock, {
      accountId: shop.account_id,
      actorUserId: origin.userId,
      action: 'deal.created',
      target: deal.id,
      details: { shopId: shop.id, source: origin.source, apiKeyId: origin.apiKeyId ?? null },
      ip: origin.ip,
    });
    return deal;
  });
}

/**
 * The merchant cancels: an unpaid deal ends ('cancelled'); a paid or disputed one returns the money to
 * the buyer ('refunded'). A released, refunded or cancelled deal cannot be cancelled.
 */
export async function cancelDeal(deps: Deps, actor: DealActor, dealId: string): Promise<DealRow> {
  return deps.db.transaction().execute(async (trx) => {
    const deal = await lockDeal(trx, { id: dealId, accountId: actor.accountId });
    if (!deal) throw dealErrors.dealNotFound();
    const resolution = { resolution: 'cancelled_by_merchant', resolvedBy: actor.userId, note: null } as const;
    let changed: DealRow;
    if (deal.status === 'created') changed = await cancelUnpaidLockedDeal(trx, deps, deal, resolution);
    else if (deal.status === 'paid' || deal.status === 'disputed')
      changed = await refundLockedDeal(trx, deps, deal, resolution);
    else throw dealErrors.dealNotCancellable({}, { status: deal.status });
    await recordAudit(trx, deps.clock, {
      accountId: deal.account_id,
      actorUserId: actor.userId,
      action: 'deal.cancelled',
      target: deal.id,
      details: { from: deal.status, to: changed.status, apiKeyId: actor.apiKeyId ?? null },
      ip: actor.ip,
    });
    return changed;
  });
}

export type DisputeDecision = 'seller' | 'buyer';

/** The operator decides an open dispute: for the seller (release) or for the buyer (refund). Audited. */
export async function decideDispute(
  deps: Deps,
  operator: { readonly userId: string; readonly ip: string | null },
  dealId: string,
  decision: DisputeDecision,
  note: string,
): Promise<DealRow> {
  return deps.db.transaction().execute(async (trx) => {
    const deal = await lockDeal(trx, { id: dealId });
    if (!deal) throw dealErrors.dealNotFound();
    if (deal.status !== 'disputed') throw dealErrors.dealNotDisputed();
    const decided =
      decision === 'seller'
        ? await releaseLockedDeal(trx, deps, deal, {
            resolution: 'decided_for_seller',
            resolvedBy: operator.userId,
            note,
          })
        : await refundLockedDeal(trx, deps, deal, {
            resolution: 'decided_for_buyer',
            resolvedBy: operator.userId,
            note,
          });
    await recordAudit(trx, deps.clock, {
      accountId: deal.account_id,
      actorUserId: operator.userId,
      action: 'deal.dispute_decided',
      target: deal.id,
      details: { decision, status: decided.status },
      ip: operator.ip,
    });
    return decided;
  });
}

async function findDueDealIds(deps: Deps, now: Date): Promise<string[]> {
  const rows = await withDealTables(deps.db)
    .selectFrom('deals')
    .select('id')
    .where('status', '=', 'paid')
    .where('release_at', '<=', now)
    .orderBy('release_at')
    .limit(DEAL_RELEASE_BATCH_SIZE)
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Releases paid deals whose deadline has passed (one batch), each in its own transaction: under the
 * lock the deal must still be paid and due, so a buyer's confirmation, a dispute opened a moment
 * earlier, or another node's run wins cleanly. Returns how many this run released.
 */
export async function releaseDueDeals(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  let released = 0;
  for (const dealId of await findDueDealIds(deps, now)) {
    try {
      const isReleased = await deps.db.transaction().execute(async (trx) => {
        const deal = await lockDeal(trx, { id: dealId });
        if (!deal || deal.status !== 'paid' || !deal.release_at || deal.release_at > now) return false;
        await releaseLockedDeal(trx, deps, deal, { resolution: 'deadline', resolvedBy: null, note: null });
        return true;
      });
      if (isReleased) released += 1;
    } catch (error) {
      deps.logger.error({ err: error, dealId }, 'releasing a deal at its deadline failed');
    }
  }
  return released;
}
