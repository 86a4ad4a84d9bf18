// Shapes of the cabinet's operations API (/api/cabinet/operations), as the server answers them.

export type OperationStatus = 'created' | 'processing' | 'awaiting_3ds' | 'paid' | 'failed' | 'expired';

export const OPERATION_STATUSES: readonly OperationStatus[] = [
  'created',
  'processing',
  'awaiting_3ds',
  'paid',
  'failed',
  'expired',
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

export interface OperationView {
  operation: OperationDetail;
  /** Oldest first. */
  timeline: TimelineEvent[];
  notifications: OperationNotification[];
}
