/**
 * What a merchant sees of a shop's tariffs: for each method group with a tariff, the terms in effect now
 * (the shop's own or the default) and the next scheduled change that will alter them, if any.
 */
import type { Deps } from '../../deps.js';
import { commonErrors } from '../../platform/http/errors.js';
import { listPaymentMethods } from '../methods/index.js';

interface ScheduleRow {
  shop_id: string | null;
  method_group: string;
  percent_basis_points: number;
  fixed_minor: bigint;
  minimum_minor: bigint;
  effective_from: Date;
}

export interface ShopTariffTerms {
  readonly source: 'shop' | 'default';
  readonly percentBasisPoints: number;
  readonly fixedMinor: string;
  readonly minimumMinor: string;
  readonly effectiveFrom: string;
}

export interface ShopTariffView {
  readonly methodGroup: string;
  readonly description: { ru: string; en: string };
  /** null: no tariff yet, no fee. */
  readonly current: ShopTariffTerms | null;
  readonly next: ShopTariffTerms | null;
}

/** The row in effect at `at` among the rows of one group (the shop's own first, then the default). */
function inEffect(rows: readonly ScheduleRow[], at: number): ScheduleRow | undefined {
  const latest = (own: boolean) =>
    rows
      .filter((row) => (row.shop_id !== null) === own && row.effective_from.getTime() <= at)
      .reduce<ScheduleRow | undefined>(
        (best, row) => (!best || row.effective_from > best.effective_from ? row : best),
        undefined,
      );
  return latest(true) ?? latest(false);
}

function toTerms(row: ScheduleRow | undefined): ShopTariffTerms | null {
  if (!row) return null;
  return {
    source: row.shop_id === null ? 'default' : 'shop',
    percentBasisPoints: row.percent_basis_points,
    fixedMinor: row.fixed_minor.toString(),
    minimumMinor: row.minimum_minor.toString(),
    effectiveFrom: row.effective_from.toISOString(),
  };
}

function describeGroup(rows: readonly ScheduleRow[], now: number) {
  const current = inEffect(rows, now);
  // The first future start (of either schedule) after which another row applies is the next change.
  const starts = [
    ...new Set(rows.map((row) => row.effective_from.getTime()).filter((start) => start > now)),
  ].sort((a, b) => a - b);
  const nextStart = starts.find((start) => inEffect(rows, start) !== current);
  return {
    current: toTerms(current),
    next: nextStart === undefined ? null : toTerms(inEffect(rows, nextStart)),
  };
}

export async function listShopTariffs(
  deps: Pick<Deps, 'db' | 'clock'>,
  accountId: string,
  shopId: string,
): Promise<ShopTariffView[]> {
  const shop = await deps.db
    .selectFrom('shops')
    .select('id')
    .where('id', '=', shopId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!shop) throw commonErrors.notFound();
  const rows = await deps.db
    .selectFrom('tariffs')
    .select([
      'shop_id',
      'method_group',
      'percent_basis_points',
      'fixed_minor',
      'minimum_minor',
      'effective_from',
    ])
    .where((eb) => eb.or([eb('shop_id', '=', shopId), eb('shop_id', 'is', null)]))
    .where('cancelled_at', 'is', null)
    .execute();
  const now = deps.clock.now().getTime();
  return listPaymentMethods().flatMap((group) => {
    const ofGroup = rows.filter((row) => row.method_group === group.code);
    if (ofGroup.length === 0) return [];
    return [{ methodGroup: group.code, description: group.description, ...describeGroup(ofGroup, now) }];
  });
}
