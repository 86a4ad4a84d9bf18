/**
 * The tariff schedule, as the operator manages it. A change is a new row with its start moment; nothing
 * is overwritten, so the rows are the history. The notice rule:
 * - a change that raises the fee for any amount (percent, fixed or minimum higher than what applies just
 *   before its start) must start at least TARIFF_INCREASE_NOTICE_DAYS days after it is scheduled;
 * - a change that raises nothing may start at once (an empty start date) or on any later date;
 * - a change must start after every change already scheduled for its scope and group, so each notice
 *   compares with what really applies before it;
 * - a change that has not started may be cancelled; one in effect can only be followed by another.
 * Every change and cancellation is announced to the affected accounts by the notice job (tariff-notice.ts),
 * enqueued in the same transaction: the shop's account, or for the default tariff every account with a
 * shop that has no tariff of its own for the group at the start.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { moscowDay, moscowMidnight, parseCivilDay } from '../balances/index.js';
import { listPaymentMethods } from '../methods/index.js';
import { tariffErrors, tariffProblems } from './tariff.errors.js';
import { parseAmountToMinor, parsePercentToBasisPoints, raisesFee } from './tariff-terms.js';
import { findTariff, type Tariff } from './tariff.service.js';

export const TARIFF_INCREASE_NOTICE_DAYS = 14;
export const TARIFF_NOTICE_QUEUE = 'tariffs.notify';
const DAY_MS = 86_400_000;
const LIST_LIMIT = 500;

export interface TariffChangeInput {
  /** The shop's id or MerchantLogin; empty: the default tariff. */
  readonly shop?: string | null | undefined;
  readonly methodGroup: string;
  readonly percent: string;
  readonly fixed: string;
  readonly minimum: string;
  /** YYYY-MM-DD: from 00:00 Moscow time that day; empty: now. */
  readonly effectiveFrom?: string | null | undefined;
}

export type TariffStatus = 'current' | 'scheduled' | 'past' | 'cancelled';

export interface TariffView {
  readonly id: string;
  readonly shop: { id: string; name: string; merchantLogin: string; accountLogin: string } | null;
  readonly methodGroup: string;
  readonly percentBasisPoints: number;
  readonly fixedMinor: string;
  readonly minimumMinor: string;
  readonly effectiveFrom: string;
  readonly status: TariffStatus;
  readonly accountsNotified: number;
  readonly notifiedAt: string | null;
  readonly createdAt: string;
  readonly cancelledAt: string | null;
}

export interface Operator {
  readonly userId: string;
  readonly ip: string;
}

interface ParsedChange {
  readonly methodGroup: string;
  readonly terms: Tariff;
  readonly civilDay: number | null;
}

function parseChange(input: TariffChangeInput): ParsedChange {
  const problems: Record<string, FieldProblem> = {};
  const percent = parsePercentToBasisPoints(input.percent);
  const fixed = parseAmountToMinor(input.fixed || '0');
  const minimum = parseAmountToMinor(input.minimum || '0');
  const groups = listPaymentMethods().map((group) => group.code);
  if (percent === undefined) problems.percent = tariffProblems.percent;
  if (fixed === undefined) problems.fixed = tariffProblems.amount;
  if (minimum === undefined) problems.minimum = tariffProblems.amount;
  if (!groups.includes(input.methodGroup)) problems.methodGroup = tariffProblems.methodGroup;
  const dateText = input.effectiveFrom?.trim() ?? '';
  const civilDay = dateText ? parseCivilDay(dateText) : null;
  if (civilDay === undefined) problems.effectiveFrom = tariffProblems.date;
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return {
    methodGroup: input.methodGroup,
    terms: { percentBasisPoints: percent ?? 0, fixedMinor: fixed ?? 0n, minimumMinor: minimum ?? 0n },
    civilDay: civilDay ?? null,
  };
}

async function resolveShop(db: Kysely<Database>, shop: string | null | undefined): Promise<string | null> {
  const name = shop?.trim() ?? '';
  if (!name) return null;
  const found = await db
    .selectFrom('shops')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', name), eb('merchant_login', '=', name)]))
    .executeTakeFirst();
  if (!found) throw validationError({ shop: tariffProblems.shopUnknown });
  return found.id;
}

export function civilDate(moment: Date): string {
  return new Date(moscowDay(moment)).toISOString().slice(0, 10);
}

/** The first date whose 00:00 Moscow time is at least the notice period away from now. */
export function earliestIncreaseDate(now: Date): string {
  const threshold = now.getTime() + TARIFF_INCREASE_NOTICE_DAYS * DAY_MS;
  let day = moscowDay(new Date(threshold));
  if (moscowMidnight(day).getTime() < threshold) day += DAY_MS;
  return new Date(day).toISOString().slice(0, 10);
}

/** Refuses a start before a change already scheduled for the scope (or at the same moment). */
async function checkNoLaterChange(
  trx: Transaction<Database>,
  scope: string,
  methodGroup: string,
  start: Date,
): Promise<void> {
  const later = await trx
    .selectFrom('tariffs')
    .select('effective_from')
    .where(sql<string>`coalesce(shop_id, '')`, '=', scope)
    .where('method_group', '=', methodGroup)
    .where('cancelled_at', 'is', null)
    .where('effective_from', '>=', start)
    .orderBy('effective_from', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (later)
    throw validationError({
      effectiveFrom: tariffProblems.laterChangeScheduled(civilDate(later.effective_from)),
    });
}

/** Schedules a change of the default tariff or of one shop's tariff; announces it to those affected. */
export async function scheduleTariffChange(
  deps: Deps,
  operator: Operator,
  input: TariffChangeInput,
): Promise<TariffView> {
  const change = parseChange(input);
  const shopId = await resolveShop(deps.db, input.shop);
  const id = createId('tar');
  await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const start = change.civilDay === null ? now : moscowMidnight(change.civilDay);
    if (start.getTime() < now.getTime()) throw validationError({ effectiveFrom: tariffProblems.inPast });
    const scope = shopId ?? '';
    // One scheduler per scope and group at a time, so two changes cannot both pass the checks below.
    await sql`select pg_advisory_xact_lock(hashtext(${`tariffs:${scope}:${change.methodGroup}`}))`.execute(
      trx,
    );
    await checkNoLaterChange(trx, scope, change.methodGroup, start);
    const previous = await findTariff(trx, scope, change.methodGroup, new Date(start.getTime() - 1));
    const isIncrease = raisesFee(previous, change.terms);
    if (isIncrease && start.getTime() < now.getTime() + TARIFF_INCREASE_NOTICE_DAYS * DAY_MS) {
      throw validationError({
        effectiveFrom: tariffProblems.noticeTooShort(TARIFF_INCREASE_NOTICE_DAYS, earliestIncreaseDate(now)),
      });
    }
    await trx
      .insertInto('tariffs')
      .values({
        id,
        shop_id: shopId,
        method_group: change.methodGroup,
        percent_basis_points: change.terms.percentBasisPoints,
        fixed_minor: change.terms.fixedMinor,
        minimum_minor: change.terms.minimumMinor,
        effective_from: start,
        created_by: operator.userId,
        created_at: now,
      })
      .execute();
    await enqueueJob(trx, deps.clock, {
      queue: TARIFF_NOTICE_QUEUE,
      payload: { tariffId: id, notice: 'scheduled' },
    });
    await recordAudit(trx, deps.clock, {
      accountId: null,
      actorUserId: operator.userId,
      action: 'tariff.scheduled',
      target: id,
      details: { shopId, methodGroup: change.methodGroup, effectiveFrom: start.toISOString(), isIncrease },
      ip: operator.ip,
    });
  });
  return findTariffView(deps, id);
}

/** Cancels a change that has not started; merchants already told about it are told it is off. */
export async function cancelTariffChange(deps: Deps, operator: Operator, id: string): Promise<TariffView> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('tariffs')
      .select(['effective_from', 'cancelled_at', 'notified_at', 'accounts_notified'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw tariffErrors.tariffNotFound();
    if (row.cancelled_at) throw tariffErrors.tariffAlreadyCancelled();
    const now = deps.clock.now();
    if (row.effective_from.getTime() <= now.getTime()) throw tariffErrors.tariffAlreadyEffective();
    await trx
      .updateTable('tariffs')
      .set({ cancelled_at: now, cancelled_by: operator.userId })
      .where('id', '=', id)
      .execute();
    // A notice job that has not run yet sees the cancellation and posts nothing; then nobody needs to
    // hear that the change is off.
    if (row.notified_at || row.accounts_notified > 0)
      await enqueueJob(trx, deps.clock, {
        queue: TARIFF_NOTICE_QUEUE,
        payload: { tariffId: id, notice: 'cancelled' },
      });
    await recordAudit(trx, deps.clock, {
      accountId: null,
      actorUserId: operator.userId,
      action: 'tariff.cancelled',
      target: id,
      ip: operator.ip,
    });
  });
  return findTariffView(deps, id);
}

interface TariffListRow {
  id: string;
  shop_id: string | null;
  shop_name: string | null;
  merchant_login: string | null;
  account_login: string | null;
  method_group: string;
  percent_basis_points: number;
  fixed_minor: bigint;
  minimum_minor: bigint;
  effective_from: Date;
  status: TariffStatus;
  accounts_notified: number;
  notified_at: Date | null;
  created_at: Date;
  cancelled_at: Date | null;
}

function toView(row: TariffListRow): TariffView {
  return {
    id: row.id,
    shop:
      row.shop_id === null
        ? null
        : {
            id: row.shop_id,
            name: row.shop_name ?? '',
            merchantLogin: row.merchant_login ?? '',
            accountLogin: row.account_login ?? '',
          },
    methodGroup: row.method_group,
    percentBasisPoints: row.percent_basis_points,
    fixedMinor: row.fixed_minor.toString(),
    minimumMinor: row.minimum_minor.toString(),
    effectiveFrom: row.effective_from.toISOString(),
    status: row.status,
    accountsNotified: row.accounts_notified,
    notifiedAt: row.notified_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
  };
}

/**
 * The schedule with each row's status: of a scope's started, uncancelled rows the latest is current.
 * `scope`: undefined for everything, '' for the default tariff only, or a shop's id or MerchantLogin.
 */
export async function listTariffs(
  deps: Pick<Deps, 'db' | 'clock'>,
  filter: { scope?: string | undefined; id?: string | undefined } = {},
): Promise<TariffView[]> {
  const now = deps.clock.now();
  const scope = filter.scope?.trim();
  const shopId = scope ? ((await resolveShop(deps.db, scope)) ?? '') : (scope ?? null);
  const result = await sql<TariffListRow>`
    with scheduled as (
      select t.*, max(t.effective_from) filter (where t.cancelled_at is null and t.effective_from <= ${now})
          over (partition by coalesce(t.shop_id, ''), t.method_group) as current_from
      from tariffs t
      where (${shopId}::text is null or coalesce(t.shop_id, '') = ${shopId}::text))
    select t.id, t.shop_id, s.name as shop_name, s.merchant_login, a.login as account_login, t.method_group,
      t.percent_basis_points, t.fixed_minor, t.minimum_minor, t.effective_from, t.accounts_notified,
      t.notified_at, t.created_at, t.cancelled_at,
      case when t.cancelled_at is not null then 'cancelled'
        when t.effective_from > ${now} then 'scheduled'
        when t.effective_from = t.current_from then 'current'
        else 'past' end as status
    from scheduled t
    left join shops s on s.id = t.shop_id
    left join accounts a on a.id = s.account_id
    where (${filter.id ?? null}::text is null or t.id = ${filter.id ?? null}::text)
    order by t.shop_id nulls first, t.method_group, t.effective_from desc, t.created_at desc
    limit ${LIST_LIMIT}`.execute(deps.db);
  return result.rows.map(toView);
}

async function findTariffView(deps: Pick<Deps, 'db' | 'clock'>, id: string): Promise<TariffView> {
  const [view] = await listTariffs(deps, { id });
  if (!view) throw tariffErrors.tariffNotFound();
  return view;
}
