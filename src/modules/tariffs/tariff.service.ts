/**
 * Tariffs: what the platform takes from a payment. A shop's own tariff for a payment-method group wins
 * over the default one; each is a schedule of rows by start moment (tariff-admin.service.ts writes them). The rule, computed once when a payment is paid:
 *   fee = round_half_away_from_zero(amount × percent) + fixed, at least the minimum, at most the amount.
 * A promo discount then takes its percent off that fee (the discount rounded half away from zero).
 */
import { sql, type Kysely } from 'kysely';
import { percentOfMinor } from '../../platform/money.js';
import type { Database, TariffsTable } from '../../schema.js';

export interface Tariff {
  readonly percentBasisPoints: number;
  readonly fixedMinor: bigint;
  readonly minimumMinor: bigint;
}

export const NO_FEE: Tariff = { percentBasisPoints: 0, fixedMinor: 0n, minimumMinor: 0n };

export function computeFee(tariff: Tariff, amountMinor: bigint, discountPercent = 0): bigint {
  const fee = percentOfMinor(amountMinor, BigInt(tariff.percentBasisPoints)) + tariff.fixedMinor;
  const atLeastMinimum = fee < tariff.minimumMinor ? tariff.minimumMinor : fee;
  const capped = atLeastMinimum > amountMinor ? amountMinor : atLeastMinimum;
  return capped - percentOfMinor(capped, BigInt(discountPercent * 100));
}

type TariffRow = Pick<TariffsTable, 'shop_id' | 'percent_basis_points' | 'fixed_minor' | 'minimum_minor'>;

function toTariff(row: Pick<TariffsTable, 'percent_basis_points' | 'fixed_minor' | 'minimum_minor'>): Tariff {
  return {
    percentBasisPoints: row.percent_basis_points,
    fixedMinor: row.fixed_minor,
    minimumMinor: row.minimum_minor,
  };
}

/**
 * The tariff in effect at `at` for the shop and method group: of the shop's own schedule, else of the
 * default schedule, the row with the latest start at or before `at`; no row at all means no fee.
 * On the payment path: one statement, two index probes (tariffs_schedule_key, a backward scan each).
 * Without `at` the database's clock decides; callers with a clock should pass its time.
 */
export async function findTariff(
  db: Kysely<Database>,
  shopId: string,
  methodGroup: string,
  at?: Date,
): Promise<Tariff> {
  const moment = at ?? sql<Date>`now()`;
  // Each branch is written as the index's expression (coalesce(shop_id, '')), so each is one probe.
  const result = await sql<TariffRow>`
    (select shop_id, percent_basis_points, fixed_minor, minimum_minor from tariffs
      where coalesce(shop_id, '') = ${shopId} and method_group = ${methodGroup}
        and cancelled_at is null and effective_from <= ${moment}
      order by effective_from desc limit 1)
    union all
    (select shop_id, percent_basis_points, fixed_minor, minimum_minor from tariffs
      where coalesce(shop_id, '') = '' and method_group = ${methodGroup}
        and cancelled_at is null and effective_from <= ${moment}
      order by effective_from desc limit 1)`.execute(db);
  const rows = result.rows;
  const chosen = rows.find((row) => row.shop_id === shopId) ?? rows.find((row) => row.shop_id === null);
  return chosen ? toTariff(chosen) : NO_FEE;
}
