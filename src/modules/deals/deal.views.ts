/** How a deal is shown outside: the JSON API, webhooks, the cabinet and the back-office share one shape. */
import { formatMinor, type Currency } from '../../platform/money.js';
import type { DealResolution, DealRow, DealSource, DealStatus } from './deal.tables.js';

export interface DealView {
  readonly id: string;
  readonly shopId: string;
  readonly status: DealStatus;
  /** Decimal in the currency's scale, e.g. '1490.00'. */
  readonly amount: string;
  readonly currency: Currency;
  readonly description: string;
  readonly buyerEmail: string;
  readonly language: 'ru' | 'en';
  readonly deadlineDays: number;
  readonly isTest: boolean;
  readonly source: DealSource;
  readonly paymentId: string | null;
  readonly paidAt: string | null;
  readonly releaseAt: string | null;
  readonly disputedAt: string | null;
  readonly disputeText: string | null;
  readonly resolution: DealResolution | null;
  readonly resolutionNote: string | null;
  readonly resolvedAt: string | null;
  readonly createdAt: string;
}

export function toDealView(row: DealRow): DealView {
  return {
    id: row.id,
    shopId: row.shop_id,
    status: row.status,
    amount: formatMinor(row.amount_minor, row.currency),
    currency: row.currency,
    description: row.description,
    buyerEmail: row.buyer_email,
    language: row.language,
    deadlineDays: row.deadline_days,
    isTest: row.is_test,
    source: row.source,
    paymentId: row.payment_id,
    paidAt: row.paid_at?.toISOString() ?? null,
    releaseAt: row.release_at?.toISOString() ?? null,
    disputedAt: row.disputed_at?.toISOString() ?? null,
    disputeText: row.dispute_text,
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}
