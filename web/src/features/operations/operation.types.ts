// Shapes of the cabinet's operations API (/api/cabinet/operations), as the server answers them.

export type OperationStatus =
  'created' | 'processing' | 'awaiting_3ds' | 'paid' | 'failed' | 'expired' | 'held' | 'released';

export const OPERATION_STATUSES: readonly OperationStatus[] = [
  'created',
  'processing',
  'awaiting_3ds',
  'paid',
  'failed',
  'expired',
  'held',
  'released',
];

export type NotificationState = 'delivered' | 'pending' | 'failed' | 'none';

export interface OperationSummary {
  id: string;
  shopId: string;
  shopName: string;
  merchantLogin: string;
  invId: string;
  /** Decimal in the currency's scale, e.g. '1490.00'. */
  amount: string;
  currency: string;
  status: OperationStatus;
  paymentMethod: string | null;
  cardMask: string | null;
  isTest: boolean;
  createdAt: string;
  paidAt: string | null;
  notification: NotificationState;
}

export interface OperationPage {
  items: OperationSummary[];
  nextCursor: string | null;
}

export interface OperationDetail extends OperationSummary {
  description: string;
  email: string | null;
  outSumText: string;
  fee: string;
  opKey: string | null;
  shp: [string, string][];
  expiresAt: string | null;
}

export interface TimelineEvent {
  at: string;
  kind: string;
  details: Record<string, unknown>;
}

export interface NotificationAttempt {
  startedAt: string;
  durationMs: number;
  requestLine: string;
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  isSuccess: boolean;
}

export interface OperationNotification {
  id: string;
  kind: string;
  url: string;
  method: 'GET' | 'POST';
  status: 'pending' | 'delivered' | 'failed';
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** Oldest first. */
  attempts: NotificationAttempt[];
}

/** A StepByStep payment's hold: the amount reserved on the card and what became of it. */
export interface OperationHold {
  amount: string;
  status: 'held' | 'capturing' | 'captured' | 'releasing' | 'released';
  /** When the hold is (or was to be) released if the shop does not confirm it. */
  releaseAt: string;
  capturedAmount: string | null;
  releaseReason: 'cancelled' | 'expired' | 'acquirer' | null;
  capturedAt: string | null;
  releasedAt: string | null;
}

/** One leg of a ledger transfer of the payment; what the account receives is positive. */
export interface OperationLedgerEntry {
  transferId: string;
  kind: string;
  at: string;
  owner: 'shop' | 'platform';
  account: string;
  amount: string;
}

export interface OperationView {
  operation: OperationDetail;
  ledger: OperationLedgerEntry[];
  /** Present for StepByStep payments once the card was authorized. */
  hold: OperationHold | null;
  /** Oldest first. */
  timeline: TimelineEvent[];
  notifications: OperationNotification[];
}
