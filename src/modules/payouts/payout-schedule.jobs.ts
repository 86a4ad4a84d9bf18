/**
 * The schedule task (every minute, on every worker node): for each shop whose schedule slot has come
 * (payout_settings.next_run_at <= now), pay out the shop's whole available balance, or record why not,
 * and move the schedule to its next slot, all in one transaction per shop.
 *
 * Exactly once per period, whatever runs at the same time:
 * - the shop's settings row is locked FOR UPDATE SKIP LOCKED: another node working on the shop skips it,
 *   and one that comes after the commit finds next_run_at already moved on;
 * - scheduled_payout_runs has the primary key (shop, period) and payouts a unique (shop, schedule_period):
 *   should a run ever get past the lock, its insert fails and its transaction (and payout) rolls back.
 *
 * A run acts on the latest slot at or before now, so a task that could not run at the slot (every
 * worker down) pays out late rather than never, and once, for the latest missed period only. It is
 * skipped, and the cabinet says why, when the account has no bank details or the available balance is
 * below the shop's minimum. Locks: the settings row, then the shop's pending and available accounts
 * (lockShopMoneyForPayout); nothing locks them in the other order.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { formatMinor, type Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { findBankDetails } from './bank-details.service.js';
import { latestSlotAtOrBefore, nextSlotAfter, scheduleOf } from './payout-schedule.calendar.js';
import { effectiveMinimumMinor, insertPayout, lockShopMoneyForPayout } from './payout.service.js';
import {
  withPayoutTables,
  withPayoutTablesInTransaction,
  type PayoutSettingsRow,
  type ScheduledRunOutcome,
} from './payout.tables.js';

export const PAYOUT_SCHEDULE_INTERVAL_MS = 60_000;
export const PAYOUT_SCHEDULE_BATCH_SIZE = 200;

export type ShopScheduleResult = ScheduledRunOutcome | 'already_ran' | 'taken';

export interface ScheduleRunSummary {
  readonly created: number;
  readonly skipped: number;
  readonly alreadyRan: number;
  readonly failed: number;
}

/** Thrown inside a shop's transaction to roll it back when its period turns out to be done already. */
class PeriodAlreadyRan extends Error {}

/** Runs every due schedule (one batch, the longest waiting first). Safe on several nodes at once. */
export async function runDuePayoutSchedules(deps: Deps): Promise<ScheduleRunSummary> {
  const now = deps.clock.now();
  const due = await withPayoutTables(deps.db)
    .selectFrom('payout_settings')
    .select('shop_id')
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .orderBy('shop_id')
    .limit(PAYOUT_SCHEDULE_BATCH_SIZE)
    .execute();
  const counts = { created: 0, skipped: 0, alreadyRan: 0, failed: 0 };
  for (const { shop_id: shopId } of due) {
    try {
      const result = await runShopSchedule(deps, shopId, now);
      if (result === 'created') counts.created += 1;
      else if (result === 'already_ran') counts.alreadyRan += 1;
      else if (result !== 'taken') counts.skipped += 1;
    } catch (error) {
      counts.failed += 1;
      deps.logger.error({ err: error, shopId }, 'scheduled payout failed');
    }
  }
  return counts;
}

/** One shop's due slot, in one transaction. */
export async function runShopSchedule(deps: Deps, shopId: string, now: Date): Promise<ShopScheduleResult> {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const tables = withPayoutTablesInTransaction(trx);
      const settings = await tables
        .selectFrom('payout_settings')
        .selectAll()
        .where('shop_id', '=', shopId)
        .where('next_run_at', '<=', now)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      const schedule =
        settings && scheduleOf(settings.frequency, settings.weekday, settings.time_of_day_minutes);
      if (!settings || !schedule) return 'taken';
      const slot = latestSlotAtOrBefore(schedule, now);
      await tables
        .updateTable('payout_settings')
        .set({ next_run_at: nextSlotAfter(schedule, now).at })
        .where('shop_id', '=', shopId)
        .execute();
      const done = await tables
        .selectFrom('scheduled_payout_runs')
        .select('period')
        .where('shop_id', '=', shopId)
        .where('period', '=', slot.period)
        .executeTakeFirst();
      if (done) return 'already_ran';
      return payOutSlot(trx, deps, settings, slot);
    });
  } catch (error) {
    if (error instanceof PeriodAlreadyRan) return 'already_ran';
    throw error;
  }
}

async function findAccountCurrency(trx: Transaction<Database>, accountId: string): Promise<Currency> {
  const row = await trx
    .selectFrom('accounts')
    .select('currency')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return row.currency;
}

/** Decides the slot's outcome, creates the payout when it may, and records the run. */
async function payOutSlot(
  trx: Transaction<Database>,
  deps: Deps,
  settings: PayoutSettingsRow,
  slot: { at: Date; period: string },
): Promise<ScheduledRunOutcome> {
  const currency = await findAccountCurrency(trx, settings.account_id);
  const bankDetails = await findBankDetails(trx, settings.account_id);
  const minimumMinor = effectiveMinimumMinor(deps.config.payoutMinimumMinor, settings.minimum_minor);
  const availableMinor = await lockShopMoneyForPayout(trx, settings.shop_id, currency);
  const outcome: ScheduledRunOutcome = !bankDetails
    ? 'no_bank_details'
    : availableMinor < minimumMinor
      ? 'below_minimum'
      : 'created';
  const payout =
    outcome === 'created' && bankDetails
      ? await insertPayout(trx, deps, {
          accountId: settings.account_id,
          shopId: settings.shop_id,
          amountMinor: availableMinor,
          currency,
          bankDetails,
          requestedBy: null,
          schedulePeriod: slot.period,
        })
      : undefined;
  const inserted = await withPayoutTablesInTransaction(trx)
    .insertInto('scheduled_payout_runs')
    .values({
      shop_id: settings.shop_id,
      period: slot.period,
      slot_at: slot.at,
      outcome,
      payout_id: payout?.id ?? null,
      currency,
      available_minor: availableMinor < 0n ? 0n : availableMinor,
      minimum_minor: minimumMinor,
      ran_at: deps.clock.now(),
    })
    .onConflict((conflict) => conflict.columns(['shop_id', 'period']).doNothing())
    .returning('period')
    .executeTakeFirst();
  // Unreachable while the settings lock holds; if it ever happens, this run's payout must not stay.
  if (!inserted) throw new PeriodAlreadyRan(`${settings.shop_id} ${slot.period}`);
  if (payout)
    await recordAudit(trx, deps.clock, {
      accountId: settings.account_id,
      actorUserId: null,
      action: 'payout.created',
      target: payout.id,
      details: {
        shopId: settings.shop_id,
        amount: formatMinor(availableMinor, currency),
        currency,
        schedulePeriod: slot.period,
      },
    });
  return outcome;
}
