/**
 * Promo codes, as the operator manages them: a code entered at registration takes a percent off the
 * account's fees for a number of days (accounts.findFeeDiscountPercent applies it). A code may end on a
 * date (valid through that day, Moscow time) and may be limited to a number of accounts; usage is the
 * count of accounts registered with it. Registration refuses a code that has expired, reached its limit
 * or been deactivated (accounts/registration.service.ts, under a lock on the code's row). Deactivating
 * stops new registrations only: accounts that have the discount keep it for its days.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { moscowMidnight, parseCivilDay } from '../balances/index.js';
import { promoProblems, tariffErrors } from './tariff.errors.js';
import type { Operator } from './tariff-admin.service.js';

const DAY_MS = 86_400_000;
const CODE_PATTERN = /^[A-Z0-9_-]{3,32}$/;
const MAX_DESCRIPTION = 500;
const MAX_DISCOUNT_DAYS = 3650;

export interface PromoCodeInput {
  readonly code: string;
  readonly description: string;
  readonly discountPercent: number;
  readonly discountDays: number;
  /** YYYY-MM-DD, the last day the code may be used (Moscow time); empty: no end. */
  readonly validUntil?: string | null | undefined;
  /** How many accounts may register with it; empty: no limit. */
  readonly usageLimit?: number | null | undefined;
}

export type PromoStatus = 'active' | 'expired' | 'exhausted' | 'deactivated';

export interface PromoCodeView {
  readonly code: string;
  readonly description: string;
  readonly discountPercent: number;
  readonly discountDays: number;
  /** The moment the code stops working (00:00 Moscow time after its last day). */
  readonly validUntil: string | null;
  readonly usageLimit: number | null;
  readonly usageCount: number;
  readonly status: PromoStatus;
  readonly deactivatedAt: string | null;
  readonly createdAt: string;
}

const isWhole = (value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max;

interface ParsedPromo {
  readonly code: string;
  readonly description: string;
  readonly validUntil: Date | null;
}

function parsePromo(input: PromoCodeInput, now: Date): ParsedPromo {
  const problems: Record<string, FieldProblem> = {};
  const code = input.code.trim().toUpperCase();
  const description = input.description.trim();
  if (!CODE_PATTERN.test(code)) problems.code = promoProblems.code;
  if (description.length === 0 || description.length > MAX_DESCRIPTION)
    problems.description = promoProblems.description;
  if (!isWhole(input.discountPercent, 1, 100)) problems.discountPercent = promoProblems.discountPercent;
  if (!isWhole(input.discountDays, 1, MAX_DISCOUNT_DAYS)) problems.discountDays = promoProblems.discountDays;
  if (input.usageLimit != null && !isWhole(input.usageLimit, 1, 1_000_000_000))
    problems.usageLimit = promoProblems.usageLimit;
  const dateText = input.validUntil?.trim() ?? '';
  const lastDay = dateText ? parseCivilDay(dateText) : null;
  // Valid through the whole last day: it stops at the next midnight, Moscow time.
  const validUntil = lastDay == null ? null : moscowMidnight(lastDay + DAY_MS);
  if (lastDay === undefined) problems.validUntil = promoProblems.date;
  else if (validUntil && validUntil.getTime() <= now.getTime()) problems.validUntil = promoProblems.inPast;
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return { code, description, validUntil };
}

export async function createPromoCode(
  deps: Deps,
  operator: Operator,
  input: PromoCodeInput,
): Promise<PromoCodeView> {
  const now = deps.clock.now();
  const promo = parsePromo(input, now);
  try {
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('promo_codes')
        .values({
          code: promo.code,
          description: promo.description,
          fee_discount_percent: input.discountPercent,
          discount_days: input.discountDays,
          valid_until: promo.validUntil,
          usage_limit: input.usageLimit ?? null,
          created_by: operator.userId,
          created_at: now,
        })
        .execute();
      await recordAudit(trx, deps.clock, {
        accountId: null,
        actorUserId: operator.userId,
        action: 'promo_code.created',
        target: promo.code,
        details: { discountPercent: input.discountPercent, discountDays: input.discountDays },
        ip: operator.ip,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'promo_codes_pkey'))
      throw validationError({ code: promoProblems.codeTaken });
    throw error;
  }
  return findPromoView(deps, promo.code);
}

/** Stops new registrations with the code; the discounts already granted run their course. */
export async function deactivatePromoCode(
  deps: Deps,
  operator: Operator,
  code: string,
): Promise<PromoCodeView> {
  const normalized = code.trim().toUpperCase();
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('promo_codes')
      .select('deactivated_at')
      .where('code', '=', normalized)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw tariffErrors.promoNotFound();
    if (row.deactivated_at) throw tariffErrors.promoAlreadyDeactivated();
    await trx
      .updateTable('promo_codes')
      .set({ deactivated_at: deps.clock.now() })
      .where('code', '=', normalized)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: null,
      actorUserId: operator.userId,
      action: 'promo_code.deactivated',
      target: normalized,
      ip: operator.ip,
    });
  });
  return findPromoView(deps, normalized);
}

function statusOf(
  row: { valid_until: Date | null; usage_limit: number | null; deactivated_at: Date | null },
  used: number,
  now: Date,
): PromoStatus {
  if (row.deactivated_at) return 'deactivated';
  if (row.valid_until && row.valid_until.getTime() <= now.getTime()) return 'expired';
  if (row.usage_limit !== null && used >= row.usage_limit) return 'exhausted';
  return 'active';
}

function promoQuery(db: Kysely<Database>) {
  return db.selectFrom('promo_codes').select((eb) => [
    'code',
    'description',
    'fee_discount_percent',
    'discount_days',
    'valid_until',
    'usage_limit',
    'deactivated_at',
    'created_at',
    eb
      .selectFrom('accounts')
      .select((inner) => inner.fn.countAll<string>().as('n'))
      .whereRef('accounts.promo_code', '=', 'promo_codes.code')
      .as('usage_count'),
  ]);
}

type PromoRow = Awaited<ReturnType<ReturnType<typeof promoQuery>['execute']>>[number];

function toView(row: PromoRow, now: Date): PromoCodeView {
  const used = Number(row.usage_count ?? 0);
  return {
    code: row.code,
    description: row.description,
    discountPercent: row.fee_discount_percent,
    discountDays: row.discount_days,
    validUntil: row.valid_until?.toISOString() ?? null,
    usageLimit: row.usage_limit,
    usageCount: used,
    status: statusOf(row, used, now),
    deactivatedAt: row.deactivated_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listPromoCodes(deps: Pick<Deps, 'db' | 'clock'>): Promise<PromoCodeView[]> {
  const rows = await promoQuery(deps.db).orderBy('created_at', 'desc').orderBy('code').limit(500).execute();
  const now = deps.clock.now();
  return rows.map((row) => toView(row, now));
}

async function findPromoView(deps: Pick<Deps, 'db' | 'clock'>, code: string): Promise<PromoCodeView> {
  const row = await promoQuery(deps.db).where('code', '=', code).executeTakeFirst();
  if (!row) throw tariffErrors.promoNotFound();
  return toView(row, deps.clock.now());
}
