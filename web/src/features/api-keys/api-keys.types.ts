// Shapes of the cabinet's API keys and webhooks answers (src/modules/api-v1, src/modules/webhooks).

export interface ApiKey {
  id: string;
  shopId: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiKey {
  id: string;
  name: string;
  prefix: string;
  secret: string;
}

export const WEBHOOK_EVENT_TYPES = [
  'payment.created',
  'payment.held',
  'payment.paid',
  'payment.failed',
  'payment.expired',
  'payment.released',
  'refund.succeeded',
  'deal.paid',
  'deal.disputed',
  'deal.released',
  'deal.refunded',
  'deal.cancelled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEndpoint {
  id: string;
  shopId: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  isEnabled: boolean;
  createdAt: string;
  updatedAt: string;
  previousSecretExpiresAt: string | null;
}

export type WebhookEndpointWithSecret = WebhookEndpoint & { secret: string };

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookAttempt {
  startedAt: string;
  durationMs: number;
  requestLine: string;
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  isSuccess: boolean;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  paymentId: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attempts: WebhookAttempt[];
}
