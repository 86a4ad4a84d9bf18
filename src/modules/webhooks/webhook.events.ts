/**
 * Webhook events: which payment and refund state changes become events, what their JSON body says, and
 * the outbox. `enqueueWebhookEvents` runs inside the transaction of the state change (the payments module
 * calls it from recordPaymentEvent, the one place every step of a payment is written): the event, one
 * delivery per subscribed endpoint and the delivery jobs commit or roll back with the change itself.
 */
import { sql, type Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob, type Executor } from '../../platform/jobs.js';
import { formatMinor } from '../../platform/money.js';
import type { Database, PaymentRow } from '../../schema.js';
import { withWebhookTablesInTransaction, type WebhookDatabase } from './webhook.tables.js';

export const WEBHOOK_QUEUE = 'webhooks.deliver';

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

/**
 * Timeline kinds (src/modules/payments/payment.events.ts) that change a payment's state. The others
 * (card submitted, 3-D Secure asked or answered, no answer from the acquirer, a repeated request) are
 * steps inside one state and raise no event. A Map, not an object: a kind is never looked up on a
 * prototype. 'declined' is payment.failed although the buyer may still try another card, so a
 * payment.paid can follow it. A hold (StepByStep) is payment.held; its capture makes the payment paid
 * like any other (payment.paid, with data.hold); a hold that ends uncaptured is payment.released.
 * Only the recorded outcomes count: a capture or release merely asked of the acquirer is not an event.
 */
const EVENT_TYPE_OF_TIMELINE_KIND: ReadonlyMap<string, WebhookEventType> = new Map([
  ['created', 'payment.created'],
  ['held', 'payment.held'],
  ['paid', 'payment.paid'],
  ['hold_captured', 'payment.paid'],
  ['declined', 'payment.failed'],
  ['expired', 'payment.expired'],
  ['hold_released', 'payment.released'],
  ['refunded', 'refund.succeeded'],
]);

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

export function webhookEventTypeOf(timelineKind: string): WebhookEventType | undefined {
  return EVENT_TYPE_OF_TIMELINE_KIND.get(timelineKind);
}

/** Each job names the schedule slot it was made for; a job whose slot was replaced does nothing. */
export interface WebhookJobPayload {
  readonly deliveryId: string;
  readonly scheduledFor: string;
}

export async function enqueueWebhookDeliveryJob(
  executor: Executor,
  clock: Clock,
  deliveryId: string,
  runAt: Date,
): Promise<void> {
  const payload: WebhookJobPayload = { deliveryId, scheduledFor: runAt.toISOString() };
  await enqueueJob(executor, clock, { queue: WEBHOOK_QUEUE, payload, runAt });
}

/** The payment as webhooks show it: the fields of GET /api/v1/payments/{id}, at the time of the event. */
function describePayment(payment: PaymentRow) {
  return {
    id: payment.id,
    invId: String(payment.inv_id),
    amount: formatMinor(payment.amount_minor, payment.currency),
    currency: payment.currency,
    status: payment.status,
    description: payment.description,
    paymentMethod: payment.payment_method,
    cardMask: payment.card_mask,
    isTest: payment.is_test,
    createdAt: payment.created_at.toISOString(),
    paidAt: payment.paid_at?.toISOString() ?? null,
  };
}

async function describeRefund(db: Transaction<WebhookDatabase>, refundId: unknown) {
  if (typeof refundId !== 'string') throw new Error('a refunded event without refundId');
  const refund = await db
    .selectFrom('refunds')
    .selectAll()
    .where('id', '=', refundId)
    .executeTakeFirstOrThrow();
  return {
    id: refund.id,
    paymentId: refund.payment_id,
    amount: formatMinor(refund.amount_minor, refund.currency),
    currency: refund.currency,
    status: refund.status,
    requestId: refund.request_id,
    createdAt: refund.created_at.toISOString(),
    finishedAt: refund.finished_at?.toISOString() ?? null,
  };
}

/** Text details of a timeline step, copied only when they are strings (they are written by Kopek). */
function pickTexts(details: Readonly<Record<string, unknown>>, names: readonly string[]) {
  return Object.fromEntries(
    names.flatMap((name) => (typeof details[name] === 'string' ? [[name, details[name]]] : [])),
  );
}

async function buildEventData(
  db: Transaction<WebhookDatabase>,
  timelineKind: string,
  payment: PaymentRow,
  details: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = { payment: describePayment(payment) };
  if (timelineKind === 'declined' && typeof details.reason === 'string') data.reason = details.reason;
  if (timelineKind === 'held') data.hold = pickTexts(details, ['amount', 'releaseAt']);
  if (timelineKind === 'hold_captured') data.hold = pickTexts(details, ['held', 'released']);
  if (timelineKind === 'hold_released') data.hold = pickTexts(details, ['amount', 'reason']);
  if (timelineKind === 'refunded') data.refund = await describeRefund(db, details.refundId);
  return data;
}

/** Enabled endpoints of the payment's shop that subscribe to the event type. */
async function findSubscribedEndpoints(
  db: Transaction<WebhookDatabase>,
  paymentId: string,
  type: WebhookEventType,
): Promise<{ id: string }[]> {
  return db
    .selectFrom('webhook_endpoints')
    .innerJoin('payments', 'payments.shop_id', 'webhook_endpoints.shop_id')
    .select('webhook_endpoints.id')
    .where('payments.id', '=', paymentId)
    .where('webhook_endpoints.deleted_at', 'is', null)
    .where('webhook_endpoints.is_enabled', '=', true)
    .where(sql<boolean>`${type} = any(${sql.ref('webhook_endpoints.events')})`)
    .execute();
}

/**
 * Records the event a timeline step raises, if any endpoint wants it, with its deliveries and their
 * first jobs (due at once). Steps that raise no event, and shops without subscribed endpoints, cost at
 * most one query. Returns the event id, or undefined when nothing was recorded.
 */
export async function enqueueWebhookEvents(
  trx: Transaction<Database>,
  clock: Clock,
  paymentId: string,
  timelineKind: string,
  details: Readonly<Record<string, unknown>> = {},
): Promise<string | undefined> {
  const type = webhookEventTypeOf(timelineKind);
  if (type === undefined) return undefined;
  const db = withWebhookTablesInTransaction(trx);
  const endpoints = await findSubscribedEndpoints(db, paymentId, type);
  if (endpoints.length === 0) return undefined;
  const payment = await db
    .selectFrom('payments')
    .selectAll()
    .where('id', '=', paymentId)
    .executeTakeFirstOrThrow();
  return insertEventWithDeliveries(db, clock, endpoints, {
    shopId: payment.shop_id,
    accountId: payment.account_id,
    type,
    subjectId: payment.id,
    isTest: payment.is_test,
    data: await buildEventData(db, timelineKind, payment, details),
  });
}

/** An event of a shop: who it concerns, its type and the `data` of its JSON body. */
export interface ShopWebhookEvent {
  readonly shopId: string;
  readonly accountId: string;
  readonly type: WebhookEventType;
  /** The payment, deal or other object the event is about. */
  readonly subjectId: string;
  readonly isTest: boolean;
  readonly data: Record<string, unknown>;
}

/** The event (its body frozen now), one delivery per endpoint and each delivery's first job, due at once. */
async function insertEventWithDeliveries(
  db: Transaction<WebhookDatabase>,
  clock: Clock,
  endpoints: readonly { id: string }[],
  event: ShopWebhookEvent,
): Promise<string> {
  const eventId = createId('evt');
  const now = clock.now();
  const body = JSON.stringify({
    id: eventId,
    type: event.type,
    createdAt: now.toISOString(),
    shopId: event.shopId,
    isTest: event.isTest,
    data: event.data,
  });
  await db
    .insertInto('webhook_events')
    .values({
      id: eventId,
      shop_id: event.shopId,
      account_id: event.accountId,
      type: event.type,
      subject_id: event.subjectId,
      body,
      created_at: now,
    })
    .execute();
  for (const endpoint of endpoints) {
    const deliveryId = createId('whd');
    await db
      .insertInto('webhook_deliveries')
      .values({
        id: deliveryId,
        event_id: eventId,
        endpoint_id: endpoint.id,
        shop_id: event.shopId,
        account_id: event.accountId,
        status: 'pending',
        next_attempt_at: now,
        created_at: now,
        delivered_at: null,
      })
      .execute();
    await enqueueWebhookDeliveryJob(db, clock, deliveryId, now);
  }
  return eventId;
}

/**
 * Records an event that is not a payment's timeline step (a safe deal's status: src/modules/deals), in
 * the caller's transaction, if any enabled endpoint of the shop subscribes to its type.
 */
export async function enqueueShopWebhookEvent(
  trx: Transaction<Database>,
  clock: Clock,
  event: ShopWebhookEvent,
): Promise<string | undefined> {
  const db = withWebhookTablesInTransaction(trx);
  const endpoints = await db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('shop_id', '=', event.shopId)
    .where('deleted_at', 'is', null)
    .where('is_enabled', '=', true)
    .where(sql<boolean>`${event.type} = any(${sql.ref('events')})`)
    .execute();
  if (endpoints.length === 0) return undefined;
  return insertEventWithDeliveries(db, clock, endpoints, event);
}
