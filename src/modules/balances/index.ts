/**
 * Balances: settlement of paid money (pending → available, on the business-day rule of
 * settlement.calendar.ts) and the cabinet's balance section: balances per shop, ledger entries with
 * running balances, and their CSV export. Money moves only through the ledger module.
 */
export { registerBalanceRoutes } from './balance.routes.js';
export {
  decodeEntriesCursor,
  DEFAULT_ENTRIES_PAGE_SIZE,
  findAccountCurrency,
  findBalanceShop,
  listBalanceEntries,
  MAX_ENTRIES_PAGE_SIZE,
  SHOP_PURPOSES,
  type BalanceEntriesPage,
  type ShopPurpose,
} from './balance.queries.js';
export {
  MAX_SETTLEMENT_BUSINESS_DAYS,
  moscowDay,
  moscowMidnight,
  parseCivilDay,
  SETTLEMENT_TIME_ZONE,
  settlementDueBound,
  settlementTimeOf,
} from './settlement.calendar.js';
export {
  SETTLEMENT_BATCH_SIZE,
  SETTLEMENT_INTERVAL_MS,
  settleAllDuePayments,
  settleDuePayments,
  settledTransferKey,
  settlePayment,
  type DuePayment,
  type SettleOutcome,
  type SettlementRunResult,
} from './settlement.service.js';
