/**
 * TypeBox schemas of webhook endpoints and deliveries, shared by /api/v1 and the cabinet: they validate
 * requests, shape answers and make the OpenAPI document.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_DELIVERIES_PAGE_SIZE, WEBHOOK_EVENT_TYPES } from '../webhooks/index.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const WebhookEventType = Type.Union(
  WEBHOOK_EVENT_TYPES.map((type) => Type.Literal(type)),
  {
    description:
      'payment.created; payment.held (StepByStep: the amount is reserved); payment.paid (also when a hold ' +
      'is captured); payment.failed (a card was declined: the buyer may still pay); payment.expired; ' +
      'payment.released (a hold ended uncaptured); refund.succeeded.',
  },
);

export const WebhookEndpoint = Type.Object({
  id: Type.String(),
  shopId: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(WebhookEventType),
  isEnabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  previousSecretExpiresAt: Nullable(
    Type.String({
      format: 'date-time',
      description: 'After a rotation the previous secret also signs (a second v1) until this time.',
    }),
  ),
});

export const WebhookEndpointWithSecret = Type.Composite([
  WebhookEndpoint,
  Type.Object({
    secret: Type.String({
      description:
        'The signing secret (whsec_…). Answered only when the endpoint is created and when the secret ' +
        'is rotated; keep it on your server.',
    }),
  }),
]);

export const WebhookEndpointList = Type.Object({ items: Type.Array(WebhookEndpoint) });

const Url = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'http(s) URL that receives the POSTs.',
});
const Events = Type.Array(WebhookEventType, { minItems: 1, maxItems: 20, description: 'Events to receive.' });
const Description = Type.String({ maxLength: 200 });

export const CreateWebhookEndpointBody = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Description),
    isEnabled: Type.Optional(Type.Boolean({ description: 'Default true.' })),
  },
  { additionalProperties: false },
);

export const UpdateWebhookEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    isEnabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const WebhookAttempt = Type.Object({
  startedAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Integer(),
  requestLine: Type.String(),
  responseStatus: Nullable(Type.Integer()),
  responseExcerpt: Nullable(Type.String({ description: 'The first 500 characters of the answer.' })),
  error: Nullable(Type.String()),
  isSuccess: Type.Boolean(),
});

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventId: Type.String({ description: 'Sent as Kopek-Event-Id; the same in every attempt.' }),
  eventType: WebhookEventType,
  paymentId: Type.String(),
  status: Type.Union(['pending', 'delivered', 'failed'].map((status) => Type.Literal(status))),
  attemptCount: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  attempts: Type.Array(WebhookAttempt, { description: 'The newest 20 attempts, oldest first.' }),
});

export const WebhookDeliveryList = Type.Object({ items: Type.Array(WebhookDelivery) });

export const WebhookDeliveriesQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({
        pattern: '^(?:[1-9]\\d?|100)$',
        description: `How many of the newest deliveries, 1-${MAX_DELIVERIES_PAGE_SIZE} (default 20).`,
      }),
    ),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
