/** TypeBox schemas of the JSON API v1: they validate requests, shape answers and make the OpenAPI document. */
import { Type, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PAYMENT_STATUSES = [
  'created',
  'processing',
  'awaiting_3ds',
  'paid',
  'failed',
  'expired',
  // Holds (StepByStep): reserved on the card; ended without a capture.
  'held',
  'released',
] as const;

export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'Stable snake_case code, e.g. invalid_api_key.' }),
        message: Type.String({ description: "Human-readable, in the caller's language." }),
        fields: Type.Optional(
          Type.Record(Type.String(), Type.Object({ code: Type.String(), message: Type.String() })),
        ),
      },
      { additionalProperties: true },
    ),
  },
  { description: 'Every error: { error: { code, message, fields? } }.' },
);

const errorRef = ErrorBody;

export const commonErrorResponses = {
  401: errorRef,
  404: errorRef,
  422: errorRef,
  // rate_limited, with Retry-After: every request counts against its key's limit.
  429: errorRef,
};

export const postErrorResponses = {
  ...commonErrorResponses,
  400: errorRef,
  409: errorRef,
};

export const Payment = Type.Object({
  id: Type.String(),
  invId: Type.String({ description: "The shop's InvId." }),
  amount: Type.String({ description: "Decimal in the currency's scale, e.g. '1490.00'." }),
  currency: Type.String(),
  status: Type.Union(PAYMENT_STATUSES.map((status) => Type.Literal(status))),
  paymentMethod: Nullable(Type.String()),
  cardMask: Nullable(Type.String()),
  isTest: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  paidAt: Nullable(Type.String({ format: 'date-time' })),
  notification: Type.Union(
    ['delivered', 'pending', 'failed', 'none'].map((state) => Type.Literal(state)),
    {
      description: 'State of the ResultURL notification.',
    },
  ),
});

export const PaymentDetail = Type.Composite([
  Payment,
  Type.Object({
    description: Type.String(),
    email: Nullable(Type.String()),
    outSumText: Type.String({ description: 'OutSum exactly as the shop sent it.' }),
    fee: Type.String(),
    expiresAt: Nullable(Type.String({ format: 'date-time' })),
  }),
]);

export const PaymentList = Type.Object({
  items: Type.Array(Payment),
  nextCursor: Nullable(Type.String({ description: 'Pass as `before` for the next page; null at the end.' })),
});

export const PaymentListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(PAYMENT_STATUSES.map((status) => Type.Literal(status)))),
    before: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page.' })),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9]\\d?|1\\d\\d|200)$', description: 'Page size, 1-200 (default 50).' }),
    ),
  },
  { additionalProperties: false },
);

export const PaymentParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'Required. Repeating a request with the same key answers the first result (header Idempotent-Replayed: true).',
    }),
  ),
});

export const RefundBody = Type.Object(
  {
    amount: Type.Optional(
      Type.String({
        maxLength: 32,
        description: "Decimal, e.g. '150.50'. Absent: everything that is left to refund.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const Refund = Type.Object({
  id: Type.String(),
  paymentId: Type.String(),
  amount: Type.String(),
  currency: Type.String(),
  status: Type.String(),
  requestId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const BalanceFigures = Type.Object({
  currency: Type.String(),
  pending: Type.String(),
  available: Type.String(),
  onHold: Type.String(),
  inPayout: Type.String(),
});

export const Balance = Type.Object({
  shopId: Type.String(),
  balances: Type.Array(BalanceFigures, { description: "The account's currency first." }),
});
