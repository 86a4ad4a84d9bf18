/**
 * Reading deals: the cabinet's (scoped to the signed-in account, optionally one shop), the JSON API's
 * (the key's shop) and the back-office's open disputes. Another account's deal is "not found".
 */
import type { Deps } from '../../deps.js';
import type { ShopsTable } from '../../schema.js';
import { dealErrors } from './deal.errors.js';
import { readDealInput, type DealInput } from './deal.input.js';
import { createDeal, type DealActor } from './deal.service.js';
import { withDealTables, type DealRow, type DealSource, type DealStatus } from './deal.tables.js';
import { toDealView, type DealView } from './deal.views.js';

export const DEAL_PAGE_SIZE = 20;
export const MAX_DEAL_PAGE_SIZE = 100;

export interface DealScope {
  readonly accountId: string;
  /** The JSON API's key selects one shop; the cabinet may filter by one. */
  readonly shopId?: string | undefined;
}

export interface DealListQuery {
  readonly status?: DealStatus | undefined;
  readonly page: number;
  readonly pageSize?: number;
}

export type ListedDeal = DealView & { readonly shopName: string };

type RowWithShop = DealRow & { shop_name: string };

const toListed = (row: RowWithShop): ListedDeal => ({ ...toDealView(row), shopName: row.shop_name });

function scopedDeals(deps: Deps, scope: DealScope) {
  return withDealTables(deps.db)
    .selectFrom('deals')
    .innerJoin('shops', 'shops.id', 'deals.shop_id')
    .where('deals.account_id', '=', scope.accountId)
    .$if(scope.shopId !== undefined, (builder) => builder.where('deals.shop_id', '=', scope.shopId ?? ''));
}

export async function listDeals(deps: Deps, scope: DealScope, query: DealListQuery) {
  const pageSize = Math.min(query.pageSize ?? DEAL_PAGE_SIZE, MAX_DEAL_PAGE_SIZE);
  const base = scopedDeals(deps, scope).$if(query.status !== undefined, (builder) =>
    builder.where('deals.status', '=', query.status ?? 'created'),
  );
  const counted = await base.select((eb) => eb.fn.countAll<bigint>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll('deals')
    .select('shops.name as shop_name')
    .orderBy('deals.created_at', 'desc')
    .orderBy('deals.id', 'desc')
    .limit(pageSize)
    .offset((query.page - 1) * pageSize)
    .execute();
  return { items: rows.map(toListed), total: Number(counted.count), page: query.page, pageSize };
}

export async function getDeal(deps: Deps, scope: DealScope, dealId: string): Promise<ListedDeal> {
  const row = await scopedDeals(deps, scope)
    .selectAll('deals')
    .select('shops.name as shop_name')
    .where('deals.id', '=', dealId)
    .executeTakeFirst();
  if (!row) throw dealErrors.dealNotFound();
  return toListed(row);
}

async function findScopedShop(deps: Deps, scope: DealScope, shopId: string): Promise<ShopsTable> {
  const shop = await deps.db
    .selectFrom('shops')
    .selectAll()
    .where('id', '=', shopId)
    .where('account_id', '=', scope.accountId)
    .executeTakeFirst();
  if (!shop || (scope.shopId !== undefined && scope.shopId !== shop.id)) throw dealErrors.shopNotFound();
  return shop;
}

/** Creates a deal in one of the account's shops (the key's shop for the JSON API). */
export async function createScopedDeal(
  deps: Deps,
  actor: DealActor & { readonly source: DealSource },
  scope: DealScope,
  input: DealInput,
): Promise<ListedDeal> {
  const shop = await findScopedShop(deps, scope, input.shopId);
  const terms = readDealInput(deps, input);
  const deal = await createDeal(deps, shop, terms, actor);
  return { ...toDealView(deal), shopName: shop.name };
}

export type OperatorDeal = ListedDeal & { readonly accountId: string };

/** The back-office's list: deals in one status (open disputes by default), oldest dispute first. */
export async function listDealsForOperator(deps: Deps, status: DealStatus): Promise<OperatorDeal[]> {
  const rows = await withDealTables(deps.db)
    .selectFrom('deals')
    .innerJoin('shops', 'shops.id', 'deals.shop_id')
    .selectAll('deals')
    .select('shops.name as shop_name')
    .where('deals.status', '=', status)
    .orderBy(
      status === 'disputed' ? 'deals.disputed_at' : 'deals.updated_at',
      status === 'disputed' ? 'asc' : 'desc',
    )
    .orderBy('deals.id')
    .limit(MAX_DEAL_PAGE_SIZE)
    .execute();
  return rows.map((row) => ({ ...toListed(row), accountId: row.account_id }));
}
