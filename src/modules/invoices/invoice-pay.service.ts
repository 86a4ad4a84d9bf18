/**
 * The buyer's side of a payment link: may it be paid now, and starting its payment on the hosted
 * checkout. Refusals are Robokassa's page codes (reference §1.4): 53 no such link, 52 a one-time link
 * already paid, 51 a link past its ExpirationDate or deactivated by the shop; and, as for any payment
 * start, 25 (live link of a shop that is no longer active) and 41.
 *
 * Starting locks the link's row, so a one-time link never starts two payments: a buyer who comes back
 * (or double-clicks) gets the same payment; a reusable link gets a new payment, with a new InvId, each time.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import type { Database, ShopsTable } from '../../schema.js';
import { createInvoicePayment, type InvoicePaymentRequest } from '../payments/index.js';
import { protocolError, type ProtocolError } from '../protocol/index.js';
import { findShopById } from '../shops/index.js';
import { invoiceState } from './invoice.status.js';
import {
  withInvoiceTables,
  withInvoiceTablesInTransaction,
  type InvoiceDatabase,
  type InvoiceRow,
} from './invoice.tables.js';
import { INVOICE_REFUSAL_DETAILS } from './invoice.texts.js';

export interface InvoiceOffer {
  readonly invoice: InvoiceRow;
  readonly shop: ShopsTable;
}

export type OfferOutcome =
  | { readonly kind: 'open'; readonly offer: InvoiceOffer }
  | { readonly kind: 'refused'; readonly error: ProtocolError };

export type PayOutcome =
  | { readonly kind: 'started'; readonly paymentId: string }
  | { readonly kind: 'refused'; readonly error: ProtocolError };

/** Link codes are 20 base32 characters; anything else cannot be one, and costs no query. */
const ENCODED_ID_PATTERN = /^[0-9a-z]{20}$/;

const refused = (error: ProtocolError) => ({ kind: 'refused', error }) as const;

async function countPaidPayments(db: Kysely<InvoiceDatabase>, invoiceId: string): Promise<number> {
  const row = await db
    .selectFrom('invoice_payments')
    .innerJoin('payments', 'payments.id', 'invoice_payments.payment_id')
    .select((eb) => eb.fn.countAll<bigint>().as('count'))
    .where('invoice_payments.invoice_id', '=', invoiceId)
    .where('payments.status', '=', 'paid')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function findRefusal(deps: Deps, offer: InvoiceOffer, paidCount: number): ProtocolError | undefined {
  const { invoice, shop } = offer;
  switch (invoiceState(invoice, paidCount, deps.clock.now())) {
    case 'paid':
      return protocolError(52, undefined, INVOICE_REFUSAL_DETAILS.paid);
    case 'deactivated':
      return protocolError(51, undefined, INVOICE_REFUSAL_DETAILS.deactivated);
    case 'expired':
      return protocolError(51, undefined, INVOICE_REFUSAL_DETAILS.expired);
    case 'active':
      break;
  }
  if (invoice.is_test) return undefined;
  // A sandbox acquirer approves published test cards: in production it may only take test payments.
  if (deps.config.isProduction && deps.providers.cardAcquirer.isSandbox) return protocolError(41);
  return shop.status === 'active' ? undefined : protocolError(25);
}

/** The link as the buyer opens it: what it asks to pay, or why it cannot be paid. */
export async function openInvoice(deps: Deps, encodedId: string): Promise<OfferOutcome> {
  if (!ENCODED_ID_PATTERN.test(encodedId))
    return refused(protocolError(53, undefined, INVOICE_REFUSAL_DETAILS.notFound));
  const invoice = await withInvoiceTables(deps.db)
    .selectFrom('invoices')
    .selectAll()
    .where('encoded_id', '=', encodedId)
    .executeTakeFirst();
  const shop = invoice ? await findShopById(deps.db, invoice.shop_id) : undefined;
  if (!invoice || !shop) return refused(protocolError(53, undefined, INVOICE_REFUSAL_DETAILS.notFound));
  const offer = { invoice, shop };
  const refusal = findRefusal(deps, offer, await countPaidPayments(withInvoiceTables(deps.db), invoice.id));
  return refusal ? refused(refusal) : { kind: 'open', offer };
}

/** A one-time link's payment, if the buyer already started it (it is unpaid: a paid one was refused). */
async function findStartedPayment(trx: Transaction<InvoiceDatabase>, invoiceId: string) {
  const row = await trx
    .selectFrom('invoice_payments')
    .select('payment_id')
    .where('invoice_id', '=', invoiceId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.payment_id;
}

function paymentRequest(invoice: InvoiceRow, ip: string): InvoicePaymentRequest {
  return {
    invoiceId: invoice.id,
    shopId: invoice.shop_id,
    accountId: invoice.account_id,
    // A reusable link's every payment is a new operation with a new number.
    invId: invoice.invoice_type === 'OneTime' ? invoice.inv_id : null,
    isTest: invoice.is_test,
    amountMinor: invoice.amount_minor,
    currency: invoice.currency,
    description: invoice.description,
    culture: invoice.culture,
    email: invoice.email,
    shp: invoice.user_fields,
    receipt: invoice.receipt,
    resultUrl2: invoice.result_url2,
    successUrl2: invoice.success_url2,
    successUrl2Method: invoice.success_url2_method,
    failUrl2: invoice.fail_url2,
    failUrl2Method: invoice.fail_url2_method,
    expiresAt: invoice.expires_at,
    ip,
  };
}

async function startLockedPayment(
  trx: Transaction<Database>,
  deps: Deps,
  offer: InvoiceOffer,
  ip: string,
): Promise<PayOutcome> {
  const invoices = withInvoiceTablesInTransaction(trx);
  const invoice = await invoices
    .selectFrom('invoices')
    .selectAll()
    .where('id', '=', offer.invoice.id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  // Checked again under the lock: the link may have been paid or deactivated since it was opened.
  const refusal = findRefusal(deps, { ...offer, invoice }, await countPaidPayments(invoices, invoice.id));
  if (refusal) return refused(refusal);
  const started =
    invoice.invoice_type === 'OneTime' ? await findStartedPayment(invoices, invoice.id) : undefined;
  if (started) return { kind: 'started', paymentId: started };
  const outcome = await createInvoicePayment(trx, deps, paymentRequest(invoice, ip));
  if (outcome.kind === 'inv_id_taken') {
    return refused(
      outcome.isPaid
        ? protocolError(52, 'InvId')
        : protocolError(41, 'InvId', INVOICE_REFUSAL_DETAILS.invIdTaken),
    );
  }
  await invoices
    .insertInto('invoice_payments')
    .values({ payment_id: outcome.paymentId, invoice_id: invoice.id, created_at: deps.clock.now() })
    .execute();
  return { kind: 'started', paymentId: outcome.paymentId };
}

/** The buyer pressed "pay": the payment to send them to, on the hosted checkout. */
export async function payInvoice(deps: Deps, encodedId: string, ip: string): Promise<PayOutcome> {
  const opened = await openInvoice(deps, encodedId);
  if (opened.kind === 'refused') return opened;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.db.transaction().execute((trx) => startLockedPayment(trx, deps, opened.offer, ip));
    } catch (error) {
      // A payment from Index.aspx took the one-time link's InvId between the check and the insert: the
      // retry finds it and refuses plainly.
      if (attempt < 2 && isUniqueViolation(error, 'payments_live_inv_id_key')) continue;
      throw error;
    }
  }
}
