// Shapes of /api/cabinet/deals and /api/backoffice/deals (src/modules/deals/deal.views.ts).
import type { Currency } from '../../lib/types';

export type DealStatus = 'created' | 'paid' | 'disputed' | 'released' | 'refunded' | 'cancelled';
export type DealResolution =
  'buyer_confirmed' | 'deadline' | 'cancelled_by_merchant' | 'decided_for_seller' | 'decided_for_buyer';

export interface Deal {
  id: string;
  shopId: string;
  shopName: string;
  status: DealStatus;
  amount: string;
  currency: Currency;
  description: string;
  buyerEmail: string;
  language: 'ru' | 'en';
  deadlineDays: number;
  isTest: boolean;
  source: 'api' | 'cabinet';
  paymentId: string | null;
  paidAt: string | null;
  releaseAt: string | null;
  disputedAt: string | null;
  disputeText: string | null;
  resolution: DealResolution | null;
  resolutionNote: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

export interface DealPage {
  items: Deal[];
  total: number;
  page: number;
  pageSize: number;
}

/** A merchant may cancel until the money has gone to the shop (a paid deal is then refunded). */
export function isCancellable(deal: Deal): boolean {
  return deal.status === 'created' || deal.status === 'paid' || deal.status === 'disputed';
}
