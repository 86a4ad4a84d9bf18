/**
 * Tariffs: what the platform takes from a payment. A shop's own tariff for a payment-method group wins
 * over the default one. The rule, computed once when a payment is paid:
 *   fee = round_half_away_from_zero(amount × percent) + fixed, at least the minimum, at most the amount.
 * A promo discount then takes its percent off that fee (the discount rounded half away from zero).
 */
import type { Kysely } from 'kysely';
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

function toTariff(row: Pick<TariffsTable, 'percent_basis_points' | 'fixed_minor' | 'minimum_minor'>): Tariff {
  return {
    percentBasisPoints: row.percent_basis_points,
    fixedMinor: row.fixed_minor,
    minimumMinor: row.minimum_minor,
  };
}

/** The shop's tariff for the method group, else the default one, else no fee. */
export async function findTariff(db: Kysely<Database>, shopId: string, methodGroup: string): Promise<Tariff> {
  const rows = await db
    .selectFrom('tariffs')
    .select(['shop_id', 'percent_basis_points', 'fixed_minor', 'minimum_minor'])
    .where('method_group', '=', methodGroup)
    .where((eb) => eb.or([eb('shop_id', '=', shopId), eb('shop_id', 'is', null)]))
    .execute();
  const own = rows.find((row) => row.shop_id === shopId);
  const fallback = rows.find((row) => row.shop_id === null);
  const chosen = own ?? fallback;
  return chosen ? toTariff(chosen) : NO_FEE;
}
