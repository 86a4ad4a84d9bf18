/**
 * A shop's payout settings: the schedule (off, daily, or weekly on one day, at a time of day in Moscow
 * time) and its own minimum payout, not below the installation's. Balances and payouts are per shop, so
 * the settings are too; the bank details they pay to are the account's.
 *
 * Saving locks the shop's settings row, the lock the schedule task takes, so a change never lands in the
 * middle of a scheduled run. The next slot is computed again only when the schedule itself changes:
 * changing the minimum alone keeps a slot that is due, so it is not skipped.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { formatMinor, parseDecimalToMinor, type Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { SETTLEMENT_TIME_ZONE } from '../balances/index.js';
import { formatTimeOfDay, nextSlotAfter, parseTimeOfDay, scheduleOf } from './payout-schedule.calendar.js';
import { payoutErrors, payoutSettingsProblems } from './payout.errors.js';
import { effectiveMinimumMinor, formatMoneyText } from './payout.service.js';
import {
  withPayoutTables,
  withPayoutTablesInTransaction,
  type PayoutFrequency,
  type PayoutSettingsRow,
  type ScheduledPayoutRunRow,
  type ScheduledRunOutcome,
} from './payout.tables.js';

/** A schedule starts at 10:00 Moscow time unless the merchant picks another time. */
export const DEFAULT_TIME_OF_DAY_MINUTES = 600;
/** The largest minimum a shop may set: 10,000,000.00. */
export const MAX_SHOP_MINIMUM_MINOR = 1_000_000_000n;

export interface ScheduledRunView {
  readonly period: string;
  readonly slotAt: string;
  readonly ranAt: string;
  readonly outcome: ScheduledRunOutcome;
  readonly payoutId: string | null;
  readonly available: string;
  readonly minimum: string;
}

export interface ShopPayoutSettingsView {
  readonly shopId: string;
  readonly shopName: string;
  readonly frequency: PayoutFrequency;
  readonly weekday: number | null;
  /** 'HH:MM', Moscow time. */
  readonly time: string;
  /** The shop's own minimum, or null for the installation's. */
  readonly minimum: string | null;
  /** What applies: the higher of the shop's own and the installation's. */
  readonly effectiveMinimum: string;
  readonly nextRunAt: string | null;
  readonly lastRun: ScheduledRunView | null;
}

export interface PayoutSettingsView {
  readonly currency: Currency;
  readonly platformMinimum: string;
  readonly timeZone: string;
  readonly hasBankDetails: boolean;
  readonly shops: ShopPayoutSettingsView[];
}

export interface PayoutSettingsInput {
  readonly frequency: PayoutFrequency;
  readonly weekday?: number | null | undefined;
  readonly time?: string | undefined;
  /** A decimal; empty or absent: the installation's minimum. */
  readonly minimum?: string | null | undefined;
}

function toRunView(run: ScheduledPayoutRunRow): ScheduledRunView {
  return {
    period: run.period,
    slotAt: run.slot_at.toISOString(),
    ranAt: run.ran_at.toISOString(),
    outcome: run.outcome,
    payoutId: run.payout_id,
    available: formatMinor(run.available_minor, run.currency),
    minimum: formatMinor(run.minimum_minor, run.currency),
  };
}

function toShopView(
  shop: { id: string; name: string },
  settings: PayoutSettingsRow | undefined,
  lastRun: ScheduledPayoutRunRow | undefined,
  platformMinimumMinor: bigint,
  currency: Currency,
): ShopPayoutSettingsView {
  const ownMinimum = settings?.minimum_minor ?? null;
  return {
    shopId: shop.id,
    shopName: shop.name,
    frequency: settings?.frequency ?? 'off',
    weekday: settings?.weekday ?? null,
    time: formatTimeOfDay(settings?.time_of_day_minutes ?? DEFAULT_TIME_OF_DAY_MINUTES),
    minimum: ownMinimum === null ? null : formatMinor(ownMinimum, currency),
    effectiveMinimum: formatMinor(effectiveMinimumMinor(platformMinimumMinor, ownMinimum), currency),
    nextRunAt: settings?.next_run_at?.toISOString() ?? null,
    lastRun: lastRun ? toRunView(lastRun) : null,
  };
}

/** Every shop of the account with its payout settings and its latest scheduled run. */
export async function readPayoutSettings(deps: Deps, accountId: string): Promise<PayoutSettingsView> {
  const db = withPayoutTables(deps.db);
  const account = await db
    .selectFrom('accounts')
    .select('currency')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  const shops = await db
    .selectFrom('shops')
    .select(['id', 'name'])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const settings = await db
    .selectFrom('payout_settings')
    .selectAll()
    .where('account_id', '=', accountId)
    .execute();
  const runs = await latestRuns(deps.db, accountId);
  const bankDetails = await db
    .selectFrom('bank_details')
    .select('account_id')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const platformMinimumMinor = deps.config.payoutMinimumMinor;
  return {
    currency: account.currency,
    platformMinimum: formatMinor(platformMinimumMinor, account.currency),
    timeZone: SETTLEMENT_TIME_ZONE,
    hasBankDetails: bankDetails !== undefined,
    shops: shops.map((shop) =>
      toShopView(
        shop,
        settings.find((row) => row.shop_id === shop.id),
        runs.find((run) => run.shop_id === shop.id),
        platformMinimumMinor,
        account.currency,
      ),
    ),
  };
}

/** The latest run of each of the account's shops. */
async function latestRuns(db: Kysely<Database>, accountId: string): Promise<ScheduledPayoutRunRow[]> {
  return withPayoutTables(db)
    .selectFrom('scheduled_payout_runs')
    .selectAll()
    .distinctOn('shop_id')
    .where('shop_id', 'in', (eb) => eb.selectFrom('shops').select('id').where('account_id', '=', accountId))
    .orderBy('shop_id')
    .orderBy('slot_at', 'desc')
    .execute();
}

interface CheckedSettings {
  readonly frequency: PayoutFrequency;
  readonly weekday: number | null;
  readonly timeOfDayMinutes: number;
  readonly minimumMinor: bigint | null;
}

/** Meaning checks the request schema cannot express; every field's problem at once. */
function checkSettings(
  input: PayoutSettingsInput,
  previous: PayoutSettingsRow | undefined,
  platformMinimumMinor: bigint,
  currency: Currency,
): CheckedSettings {
  const problems: Record<string, FieldProblem> = {};
  const weekday = input.weekday ?? (input.weekday === null ? null : (previous?.weekday ?? null));
  if (input.frequency === 'weekly' && weekday === null)
    problems.weekday = payoutSettingsProblems.weekdayRequired;
  const timeOfDayMinutes =
    input.time === undefined
      ? (previous?.time_of_day_minutes ?? DEFAULT_TIME_OF_DAY_MINUTES)
      : parseTimeOfDay(input.time);
  if (timeOfDayMinutes === undefined) problems.time = payoutSettingsProblems.timeInvalid;
  const minimumText = input.minimum?.trim().replace(',', '.') ?? '';
  const minimumMinor = minimumText === '' ? null : parseDecimalToMinor(minimumText, currency);
  if (minimumMinor === undefined || minimumMinor === 0n)
    problems.minimum = payoutSettingsProblems.minimumInvalid;
  else if (minimumMinor !== null && minimumMinor < platformMinimumMinor)
    problems.minimum = payoutSettingsProblems.minimumTooLow(formatMoneyText(platformMinimumMinor, currency));
  else if (minimumMinor !== null && minimumMinor > MAX_SHOP_MINIMUM_MINOR)
    problems.minimum = payoutSettingsProblems.minimumTooHigh(
      formatMoneyText(MAX_SHOP_MINIMUM_MINOR, currency),
    );
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return {
    frequency: input.frequency,
    weekday,
    timeOfDayMinutes: timeOfDayMinutes ?? DEFAULT_TIME_OF_DAY_MINUTES,
    minimumMinor: minimumMinor ?? null,
  };
}

/** The next slot: kept while the schedule is unchanged, so a due slot is not skipped; null when off. */
function nextRunOf(
  checked: CheckedSettings,
  previous: PayoutSettingsRow | undefined,
  now: Date,
): Date | null {
  const schedule = scheduleOf(checked.frequency, checked.weekday, checked.timeOfDayMinutes);
  if (!schedule) return null;
  const isUnchanged =
    previous !== undefined &&
    previous.next_run_at !== null &&
    previous.frequency === checked.frequency &&
    previous.time_of_day_minutes === checked.timeOfDayMinutes &&
    (checked.frequency !== 'weekly' || previous.weekday === checked.weekday);
  return isUnchanged ? previous.next_run_at : nextSlotAfter(schedule, now).at;
}

function changedFields(checked: CheckedSettings, previous: PayoutSettingsRow | undefined): string[] {
  const before = {
    frequency: previous?.frequency ?? 'off',
    weekday: previous?.weekday ?? null,
    time: previous?.time_of_day_minutes ?? DEFAULT_TIME_OF_DAY_MINUTES,
    minimum: previous?.minimum_minor ?? null,
  };
  const after = {
    frequency: checked.frequency,
    weekday: checked.weekday,
    time: checked.timeOfDayMinutes,
    minimum: checked.minimumMinor,
  };
  return (Object.keys(after) as (keyof typeof after)[]).filter((field) => before[field] !== after[field]);
}

/** Replaces a shop's payout settings (administrators); answers the account's settings as the GET does. */
export async function saveShopPayoutSettings(
  deps: Deps,
  actor: { readonly accountId: string; readonly userId: string },
  shopId: string,
  input: PayoutSettingsInput,
  ip: string | null,
): Promise<PayoutSettingsView> {
  await deps.db.transaction().execute(async (trx) => {
    const shop = await trx
      .selectFrom('shops')
      .innerJoin('accounts', 'accounts.id', 'shops.account_id')
      .select(['shops.id', 'accounts.currency'])
      .where('shops.id', '=', shopId)
      .where('shops.account_id', '=', actor.accountId)
      .executeTakeFirst();
    if (!shop) throw payoutErrors.shopNotFound();
    const tables = withPayoutTablesInTransaction(trx);
    const previous = await tables
      .selectFrom('payout_settings')
      .selectAll()
      .where('shop_id', '=', shopId)
      .forUpdate()
      .executeTakeFirst();
    const checked = checkSettings(input, previous, deps.config.payoutMinimumMinor, shop.currency);
    const now = deps.clock.now();
    const row = {
      frequency: checked.frequency,
      weekday: checked.weekday,
      time_of_day_minutes: checked.timeOfDayMinutes,
      minimum_minor: checked.minimumMinor,
      next_run_at: nextRunOf(checked, previous, now),
      updated_by: actor.userId,
      updated_at: now,
    };
    await tables
      .insertInto('payout_settings')
      .values({ shop_id: shopId, account_id: actor.accountId, ...row })
      .onConflict((conflict) => conflict.column('shop_id').doUpdateSet(row))
      .execute();
    const fields = changedFields(checked, previous);
    if (fields.length > 0)
      await recordAudit(trx, deps.clock, {
        accountId: actor.accountId,
        actorUserId: actor.userId,
        action: 'payout_settings.updated',
        target: shopId,
        details: { fields },
        ip,
      });
  });
  return readPayoutSettings(deps, actor.accountId);
}
