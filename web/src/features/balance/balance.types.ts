// Shapes of the cabinet's balance API (/api/cabinet/balance), as the server answers them.
import type { Currency } from '../../lib/types';

export type ShopLedgerAccount = 'pending' | 'available' | 'on_hold' | 'in_payout';

export const SHOP_LEDGER_ACCOUNTS: readonly ShopLedgerAccount[] = [
  'pending',
  'available',
  'on_hold',
  'in_payout',
];

/** Decimal strings in the currency's scale, e.g. '1490.00'; what the platform owes the shop. */
export interface BalanceFigures {
  pending: string;
  available: string;
  onHold: string;
  inPayout: string;
}

export interface ShopBalance extends BalanceFigures {
  shopId: string;
  shopName: string;
  merchantLogin: string;
  /** Whether money of this shop has ever moved in this currency. */
  hasEntries: boolean;
}

export interface AccountBalance {
  currency: Currency;
  /** The account's currency first. */
  currencies: Currency[];
  shops: ShopBalance[];
  totals: BalanceFigures;
  settlement: { businessDays: number; timeZone: string };
}

export interface BalanceEntry {
  id: string;
  at: string;
  /** payment, settlement, refund… */
  kind: string;
  /** A payment id for payments, settlements and refunds. */
  reference: string | null;
  invId: string | null;
  /** Positive when the money in this account grew. */
  amount: string;
  balanceAfter: string;
}

export interface BalanceEntriesPage {
  shopId: string;
  account: ShopLedgerAccount;
  currency: Currency;
  balance: string;
  /** Newest first. */
  items: BalanceEntry[];
  nextCursor: string | null;
}
