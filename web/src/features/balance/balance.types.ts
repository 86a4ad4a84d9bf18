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

// Payout settings (/api/cabinet/payout-settings): each shop's schedule and minimum.
export type PayoutFrequency = 'off' | 'daily' | 'weekly';
export type ScheduledRunOutcome = 'created' | 'below_minimum' | 'no_bank_details';

export interface ScheduledRun {
  /** 'daily:2026-03-02' or 'weekly:2026-W10'. */
  period: string;
  slotAt: string;
  ranAt: string;
  outcome: ScheduledRunOutcome;
  payoutId: string | null;
  available: string;
  minimum: string;
}

export interface ShopPayoutSettings {
  shopId: string;
  shopName: string;
  frequency: PayoutFrequency;
  /** ISO weekday: 1 Monday ... 7 Sunday. */
  weekday: number | null;
  /** 'HH:MM', Moscow time. */
  time: string;
  /** The shop's own minimum, or null for the platform's. */
  minimum: string | null;
  effectiveMinimum: string;
  nextRunAt: string | null;
  lastRun: ScheduledRun | null;
}

export interface PayoutSettings {
  currency: Currency;
  platformMinimum: string;
  timeZone: string;
  hasBankDetails: boolean;
  shops: ShopPayoutSettings[];
}
