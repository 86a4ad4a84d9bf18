/**
 * Promo codes entered at registration grant a discount on fees for a number of days, counted from the
 * e-mail confirmation (when the account starts to work).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../schema.js';

const DAY_MS = 24 * 3_600_000;

/** The account's current fee discount in percent (0 when none applies at `now`). */
export async function findFeeDiscountPercent(
  db: Kysely<Database>,
  accountId: string,
  now: Date,
): Promise<number> {
  const promo = await db
    .selectFrom('accounts')
    .innerJoin('promo_codes', 'promo_codes.code', 'accounts.promo_code')
    .select([
      'promo_codes.fee_discount_percent',
      'promo_codes.discount_days',
      'accounts.confirmed_at',
      'accounts.created_at',
    ])
    .where('accounts.id', '=', accountId)
    .executeTakeFirst();
  if (!promo) return 0;
  const start = promo.confirmed_at ?? promo.created_at;
  const endsAt = start.getTime() + promo.discount_days * DAY_MS;
  return now.getTime() < endsAt ? promo.fee_discount_percent : 0;
}
