/**
 * TypeBox schemas of the JSON API v1's holds, payouts, ledger entries and payment links: they validate
 * requests, shape answers and make the OpenAPI document (api-v1.schemas.ts has the shared ones).
 */
import { Type, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Decimal = (description: string) =>
  Type.String({ maxLength: 32, pattern: '^\\s*\\d{1,15}(?:\\.\\d{1,2})?\\s*$', description });
const PageSize = (maximum: number, byDefault: number) =>
  Type.String({
    pattern: '^[1-9]\\d{0,2}$',
    description: `Page size, 1-${maximum} (default ${byDefault}).`,
  });

export const IdParams = Type.Object({ id: Id });

export const CaptureBody = Type.Object(
  {
    amount: Type.Optional(
      Decimal("Decimal, e.g. '150.50', at most the held amount. Absent: the whole held amount."),
    ),
  },
  { additionalProperties: false },
);

export const PayoutBody = Type.Object(
  { amount: Type.Optional(Decimal("Decimal, e.g. '5000.00'. Absent: all the shop's available money.")) },
  { additionalProperties: false },
);

export const Payout = Type.Object({
  id: Type.String(),
  shopId: Type.String(),
  amount: Type.String(),
  currency: Type.String(),
  fee: Type.String({ description: 'Always zero: payouts carry no commission.' }),
  status: Type.String({
    description:
      'created, sent, executed, returned or failed; above the approval threshold first awaiting_approval, ' +
      'then approved and exported (a bank file) or rejected (the money is back in available).',
  }),
  recipientName: Type.String(),
  settlementAccount: Type.String({ description: 'The bank account the money goes to, masked.' }),
  schedulePeriod: Nullable(Type.String({ description: 'The schedule period of a scheduled payout.' })),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  executedAt: Nullable(Type.String({ format: 'date-time' })),
  returnedAt: Nullable(Type.String({ format: 'date-time' })),
  returnReason: Nullable(Type.String()),
  failedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const PayoutList = Type.Object({ items: Type.Array(Payout, { description: 'Newest first.' }) });

export const PayoutListQuery = Type.Object(
  { limit: Type.Optional(PageSize(200, 50)) },
  { additionalProperties: false },
);

const LEDGER_ACCOUNTS = ['pending', 'available', 'on_hold', 'in_payout'] as const;
const CURRENCIES = ['RUB', 'KZT', 'USD', 'EUR'] as const;

export const LedgerEntriesQuery = Type.Object(
  {
    account: Type.Optional(
      Type.Union(
        LEDGER_ACCOUNTS.map((account) => Type.Literal(account)),
        { description: "The shop's ledger account (default available)." },
      ),
    ),
    currency: Type.Optional(
      Type.Union(
        CURRENCIES.map((currency) => Type.Literal(currency)),
        { description: "Default: the account's currency." },
      ),
    ),
    before: Type.Optional(
      Type.String({ maxLength: 40, description: 'nextCursor of the previous page (keyset pagination).' }),
    ),
    limit: Type.Optional(PageSize(200, 50)),
  },
  { additionalProperties: false },
);

export const LedgerEntry = Type.Object({
  id: Type.String({ description: "The entry's number in the ledger; newer entries have greater numbers." }),
  at: Type.String({ format: 'date-time' }),
  kind: Type.String({ description: 'payment, settlement, refund, payout, …' }),
  reference: Nullable(Type.String({ description: 'What the transfer is about, e.g. a payment id.' })),
  invId: Nullable(Type.String()),
  amount: Type.String({ description: "Positive when the shop's money in this account grew." }),
  balanceAfter: Type.String(),
});

export const LedgerEntryPage = Type.Object({
  shopId: Type.String(),
  account: Type.String(),
  currency: Type.String(),
  balance: Type.String({ description: "The account's balance now." }),
  items: Type.Array(LedgerEntry, { description: 'Newest first.' }),
  nextCursor: Nullable(Type.String({ description: 'Pass as `before` for the next page; null at the end.' })),
});

export const PaymentLinkBody = Type.Object(
  {
    invoiceType: Type.Union([Type.Literal('OneTime'), Type.Literal('Reusable')], {
      description: 'OneTime takes one payment; Reusable any number, each with its own InvId.',
    }),
    amount: Decimal("Decimal, e.g. '1490.00'."),
    description: Type.String({ minLength: 1, maxLength: 100 }),
    expiresAt: Type.Optional(
      Nullable(Type.String({ format: 'date-time', description: 'Absent or null: never expires.' })),
    ),
    isTest: Type.Optional(Type.Boolean({ description: 'A test link takes test payments only.' })),
  },
  { additionalProperties: false },
);

const PaymentLinkFields = {
  id: Type.String(),
  shopId: Type.String(),
  url: Type.String({ description: "The link's page for the buyer." }),
  invId: Nullable(Type.String()),
  invoiceType: Type.String(),
  state: Type.String({ description: 'active, paid, expired or deactivated.' }),
  amount: Type.String(),
  currency: Type.String(),
  description: Type.String(),
  isTest: Type.Boolean(),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  deactivatedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  paidCount: Type.Integer(),
  lastPaidAt: Nullable(Type.String({ format: 'date-time' })),
};

export const PaymentLink = Type.Object(PaymentLinkFields);

export const PaymentLinkDetail = Type.Object({
  ...PaymentLinkFields,
  payments: Type.Array(
    Type.Object({
      id: Type.String(),
      invId: Type.String(),
      status: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
      paidAt: Nullable(Type.String({ format: 'date-time' })),
    }),
    { description: 'Payments the link started, newest first (at most 100).' },
  ),
});

export const PaymentLinkListQuery = Type.Object(
  { page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: 'From 1; 20 a page.' })) },
  { additionalProperties: false },
);

export const PaymentLinkList = Type.Object({
  items: Type.Array(PaymentLink, { description: 'Newest first.' }),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
