/**
 * A payment started from a payment link (the invoices module). A link carries no signature: its terms
 * were fixed when the merchant created it (through the JWT-signed Invoice API or the cabinet), and
 * whoever holds the link may pay them. This inserts that payment inside the caller's transaction, which
 * holds the link's lock, so a one-time link can never start two payments.
 */
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { createId } from '../../platform/ids.js';
import { formatMinor, type Currency } from '../../platform/money.js';
import type { Database, HttpMethod } from '../../schema.js';
import { recordPaymentEvent } from './payment.events.js';

export interface InvoicePaymentRequest {
  /** The payment link that starts this payment, or the safe deal (deals module): one of the two. */
  readonly invoiceId?: string;
  /** A safe deal's payment is paid into the platform's escrow account (payment-completion.ts). */
  readonly dealId?: string;
  readonly shopId: string;
  readonly accountId: string;
  /** A one-time link's InvId; null gives the payment a new number from Kopek's sequence. */
  readonly invId: bigint | null;
  readonly isTest: boolean;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly description: string;
  readonly culture: 'ru' | 'en' | null;
  readonly email: string | null;
  readonly shp: readonly (readonly [string, string])[];
  readonly receipt: string | null;
  readonly resultUrl2: string | null;
  readonly successUrl2: string | null;
  readonly successUrl2Method: HttpMethod | null;
  readonly failUrl2: string | null;
  readonly failUrl2Method: HttpMethod | null;
  readonly expiresAt: Date | null;
  readonly ip: string;
}

export type InvoicePaymentOutcome =
  | { readonly kind: 'created'; readonly paymentId: string; readonly invId: bigint }
  /** A live payment of the shop already has this InvId (started elsewhere, e.g. by Index.aspx). */
  | { readonly kind: 'inv_id_taken'; readonly isPaid: boolean };

async function findLivePaymentStatus(trx: Transaction<Database>, shopId: string, invId: bigint) {
  return trx
    .selectFrom('payments')
    .select('status')
    .where('shop_id', '=', shopId)
    .where('inv_id', '=', invId)
    .where('is_test', '=', false)
    .executeTakeFirst();
}

async function nextAssignedInvId(trx: Transaction<Database>): Promise<bigint> {
  const next = await sql<{ id: bigint }>`select nextval('assigned_inv_id_seq') as id`.execute(trx);
  const invId = next.rows[0]?.id;
  if (invId === undefined) throw new Error('assigned_inv_id_seq returned nothing');
  return invId;
}

/**
 * Inserts the link's payment. A live InvId that another payment of the shop already holds is reported,
 * not reused: that payment's terms are not the link's. (Two inserts racing for one InvId are settled by
 * the unique index; the caller's transaction then fails and may be retried.)
 */
export async function createInvoicePayment(
  trx: Transaction<Database>,
  deps: Pick<Deps, 'clock'>,
  request: InvoicePaymentRequest,
): Promise<InvoicePaymentOutcome> {
  if (request.invId !== null && !request.isTest) {
    const existing = await findLivePaymentStatus(trx, request.shopId, request.invId);
    if (existing) return { kind: 'inv_id_taken', isPaid: existing.status === 'paid' };
  }
  const invId = request.invId ?? (await nextAssignedInvId(trx));
  const paymentId = createId('pay');
  const now = deps.clock.now();
  await trx
    .insertInto('payments')
    .values({
      id: paymentId,
      shop_id: request.shopId,
      account_id: request.accountId,
      inv_id: invId,
      is_inv_id_assigned: request.invId === null,
      is_test: request.isTest,
      status: 'created',
      out_sum_text: formatMinor(request.amountMinor, request.currency),
      amount_minor: request.amountMinor,
      currency: request.currency,
      description: request.description,
      email: request.email,
      culture: request.culture,
      inc_curr_label: null,
      shp: JSON.stringify(request.shp),
      receipt: request.receipt,
      user_ip: null,
      out_sum_currency: null,
      result_url2: request.resultUrl2,
      success_url2: request.successUrl2,
      success_url2_method: request.successUrl2Method,
      fail_url2: request.failUrl2,
      fail_url2_method: request.failUrl2Method,
      expires_at: request.expiresAt,
      is_escrow: request.dealId !== undefined,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await recordPaymentEvent(trx, deps.clock, paymentId, 'created', {
    ip: request.ip,
    isTest: request.isTest,
    invId: String(invId),
    ...(request.invoiceId === undefined ? {} : { invoiceId: request.invoiceId }),
    ...(request.dealId === undefined ? {} : { dealId: request.dealId }),
  });
  return { kind: 'created', paymentId, invId };
}
