/**
 * Balances as the merchant's cabinet shows them: what the platform owes each shop of the account, per
 * ledger account (pending, available, on hold, in payout), and the entries of one such account with the
 * balance after each. Every query is scoped to the caller's account: another account's shop is "not
 * found". Amounts are decimal strings, positive when the platform owes the shop (a credit in the ledger).
 */
import { sql, type Kysely } from 'kysely';
import { commonErrors } from '../../platform/http/errors.js';
import { formatMinor, type Currency } from '../../platform/money.js';
import type { Database, LedgerPurpose } from '../../schema.js';
import { shopAccount } from '../ledger/index.js';
import { balanceErrors } from './balance.errors.js';

export const SHOP_PURPOSES = [
  'pending',
  'available',
  'on_hold',
  'in_payout',
] as const satisfies readonly LedgerPurpose[];
export type ShopPurpose = (typeof SHOP_PURPOSES)[number];

export const DEFAULT_ENTRIES_PAGE_SIZE = 50;
export const MAX_ENTRIES_PAGE_SIZE = 200;

export interface BalanceFigures {
  readonly pending: string;
  readonly available: string;
  readonly onHold: string;
  readonly inPayout: string;
}

export interface ShopBalanceView extends BalanceFigures {
  readonly shopId: string;
  readonly shopName: string;
  readonly merchantLogin: string;
  /** Whether the ledger has ever moved money of this shop in this currency. */
  readonly hasEntries: boolean;
}

export interface AccountBalanceView {
  readonly currency: Currency;
  /** The account's currency first, then any other currency its shops hold money in. */
  readonly currencies: Currency[];
  readonly shops: ShopBalanceView[];
  readonly totals: BalanceFigures;
  readonly settlement: { readonly businessDays: number; readonly timeZone: string };
}

export interface BalanceEntryView {
  /** The entry's number in the ledger; newer entries have greater numbers. */
  readonly id: string;
  readonly at: string;
  /** The transfer's kind: payment, settlement, refund, payout, and kinds later issues add. */
  readonly kind: string;
  /** What the transfer is about: a payment id for payments and settlements. */
  readonly reference: string | null;
  /** The merchant's InvId when the reference is one of this shop's payments. */
  readonly invId: string | null;
  /** Positive when the shop's money in this account grew. */
  readonly amount: string;
  readonly balanceAfter: string;
}

export interface BalanceEntriesPage {
  readonly shopId: string;
  readonly account: ShopPurpose;
  readonly currency: Currency;
  /** The account's balance now; on the first page it equals the newest entry's balanceAfter. */
  readonly balance: string;
  /** Newest first. */
  readonly items: BalanceEntryView[];
  readonly nextCursor: string | null;
}

export interface BalanceShop {
  readonly id: string;
  readonly name: string;
  readonly merchantLogin: string;
}

export interface EntriesFilter {
  readonly shopId: string;
  readonly account: ShopPurpose;
  readonly currency?: Currency | undefined;
  /** Entries older than this one (an entry id, from nextCursor). */
  readonly before?: bigint | undefined;
  readonly limit: number;
}

const CURSOR_PATTERN = /^[1-9]\d{0,18}$/;

/** Cursors are entry ids; clients treat them as opaque. Anything else is undefined (a field error). */
export function decodeEntriesCursor(text: string): bigint | undefined {
  if (!CURSOR_PATTERN.test(text)) return undefined;
  const id = BigInt(text);
  return id <= 9_223_372_036_854_775_807n ? id : undefined;
}

export async function findAccountCurrency(db: Kysely<Database>, accountId: string): Promise<Currency> {
  const account = await db
    .selectFrom('accounts')
    .select('currency')
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) throw commonErrors.notFound();
  return account.currency;
}

export async function findBalanceShop(
  db: Kysely<Database>,
  accountId: string,
  shopId: string,
): Promise<BalanceShop> {
  const shop = await db
    .selectFrom('shops')
    .select(['id', 'name', 'merchant_login'])
    .where('id', '=', shopId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!shop) throw balanceErrors.shopNotFound();
  return { id: shop.id, name: shop.name, merchantLogin: shop.merchant_login };
}

/** Currencies in which the ledger holds accounts of this account's shops. */
async function listShopCurrencies(db: Kysely<Database>, accountId: string): Promise<Currency[]> {
  const rows = await db
    .selectFrom('ledger_accounts')
    .select('currency')
    .distinct()
    .where('owner_kind', '=', 'shop')
    .where('owner_id', 'in', (eb) => eb.selectFrom('shops').select('id').where('account_id', '=', accountId))
    .execute();
  return rows.map((row) => row.currency);
}

const ZERO_FIGURES = { pending: 0n, available: 0n, onHold: 0n, inPayout: 0n };

function toFigures(minor: typeof ZERO_FIGURES, currency: Currency): BalanceFigures {
  return {
    pending: formatMinor(minor.pending, currency),
    available: formatMinor(minor.available, currency),
    onHold: formatMinor(minor.onHold, currency),
    inPayout: formatMinor(minor.inPayout, currency),
  };
}

/**
 * Every shop of the account with what the platform owes it in one currency (the account's by default).
 * Balances are sums of ledger entries; a shop's four accounts are found by their names, through the
 * entries' (account_id, id) index.
 */
export async function readAccountBalance(
  db: Kysely<Database>,
  accountId: string,
  options: { currency?: Currency | undefined; businessDays: number; timeZone: string },
): Promise<AccountBalanceView> {
  const accountCurrency = await findAccountCurrency(db, accountId);
  const currency = options.currency ?? accountCurrency;
  const otherCurrencies = (await listShopCurrencies(db, accountId)).filter(
    (item) => item !== accountCurrency,
  );
  const name = (purpose: ShopPurpose) => sql<string>`'shop:' || s.id || ${`:${purpose}:${currency}`}`;
  const rows = await sql<{
    id: string;
    name: string;
    merchant_login: string;
    pending: string;
    available: string;
    on_hold: string;
    in_payout: string;
    has_entries: boolean;
  }>`
    select s.id, s.name, s.merchant_login,
      (-ledger_balance(${name('pending')}))::text as pending,
      (-ledger_balance(${name('available')}))::text as available,
      (-ledger_balance(${name('on_hold')}))::text as on_hold,
      (-ledger_balance(${name('in_payout')}))::text as in_payout,
      exists (select 1 from ledger_entries e where e.account_id in (
        ${name('pending')}, ${name('available')}, ${name('on_hold')}, ${name('in_payout')})) as has_entries
    from shops s
    where s.account_id = ${accountId}
    order by s.created_at, s.id`.execute(db);
  const totals = { ...ZERO_FIGURES };
  const shops = rows.rows.map((row) => {
    const minor = {
      pending: BigInt(row.pending),
      available: BigInt(row.available),
      onHold: BigInt(row.on_hold),
      inPayout: BigInt(row.in_payout),
    };
    totals.pending += minor.pending;
    totals.available += minor.available;
    totals.onHold += minor.onHold;
    totals.inPayout += minor.inPayout;
    return {
      shopId: row.id,
      shopName: row.name,
      merchantLogin: row.merchant_login,
      ...toFigures(minor, currency),
      hasEntries: row.has_entries,
    };
  });
  return {
    currency,
    currencies: [accountCurrency, ...otherCurrencies.sort()],
    shops,
    totals: toFigures(totals, currency),
    settlement: { businessDays: options.businessDays, timeZone: options.timeZone },
  };
}

/** A row of the page query; every column but balance_now is null when the account has no entries (yet). */
interface EntryRow {
  id: bigint | null;
  created_at: Date;
  kind: string;
  reference: string | null;
  inv_id: bigint | null;
  amount_minor: bigint;
  balance_after: string;
  balance_now: string;
}

/**
 * One page of an account's entries, newest first, with the balance after each, exactly and in one
 * statement (one snapshot): the balance after the newest entry of the page is the sum of every entry up
 * to it; each older one's is that less the entries above it on the page (a window sum). So the running
 * balance of the newest entry on the first page equals the current balance, and pages join up.
 */
export async function listBalanceEntries(
  db: Kysely<Database>,
  shop: BalanceShop,
  currency: Currency,
  filter: Omit<EntriesFilter, 'shopId' | 'currency'>,
): Promise<BalanceEntriesPage> {
  const limit = Math.min(Math.max(filter.limit, 1), MAX_ENTRIES_PAGE_SIZE);
  const accountId = shopAccount(shop.id, filter.account, currency).id;
  const before = filter.before === undefined ? null : String(filter.before);
  const result = await sql<EntryRow>`
    with page as (
      select e.id, e.created_at, e.amount_minor, t.kind, t.reference
      from ledger_entries e
      join ledger_transfers t on t.id = e.transfer_id
      where e.account_id = ${accountId} and (${before}::bigint is null or e.id < ${before}::bigint)
      order by e.id desc
      limit ${limit + 1}
    ),
    up_to_page as (
      select ledger_balance_up_to(${accountId}, (select max(id) from page)) as total
    ),
    now_total as (
      select ledger_balance(${accountId}) as total
    )
    select page.id, page.created_at, page.kind, page.reference, p.inv_id, page.amount_minor,
      (-(up_to_page.total - coalesce(sum(page.amount_minor) over (
        order by page.id desc rows between unbounded preceding and 1 preceding), 0)))::text as balance_after,
      (-now_total.total)::text as balance_now
    from now_total
    left join page on true
    left join up_to_page on true
    left join payments p on p.id = page.reference and p.shop_id = ${shop.id}
    order by page.id desc`.execute(db);
  const balanceNow = BigInt(result.rows[0]?.balance_now ?? '0');
  const rows = result.rows.filter((row) => row.id !== null);
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    shopId: shop.id,
    account: filter.account,
    currency,
    balance: formatMinor(balanceNow, currency),
    items: pageRows.map((row) => ({
      id: String(row.id),
      at: row.created_at.toISOString(),
      kind: row.kind,
      reference: row.reference,
      invId: row.inv_id === null ? null : String(row.inv_id),
      amount: formatMinor(-row.amount_minor, currency),
      balanceAfter: formatMinor(BigInt(row.balance_after), currency),
    })),
    nextCursor: rows.length > limit && last ? String(last.id) : null,
  };
}
