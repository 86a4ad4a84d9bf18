/**
 * Payment links, whoever asks: creating one (the Invoice API and the cabinet share this), finding one of
 * a shop's links, deactivating it. A link's terms never change once it exists, so a one-time link's
 * payment can be reused as it is when the buyer comes back.
 */
import { sql, type Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { createId, randomBase32 } from '../../platform/ids.js';
import type { Currency } from '../../platform/money.js';
import type { Database, HttpMethod, ShopsTable } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { invoiceErrors } from './invoice.errors.js';
import {
  withInvoiceTables,
  withInvoiceTablesInTransaction,
  type InvoiceRow,
  type InvoiceSource,
  type InvoiceType,
} from './invoice.tables.js';

export interface NewInvoice {
  readonly invoiceType: InvoiceType;
  /** The merchant's number; null lets Kopek assign one (one-time links) or leaves none (reusable). */
  readonly invId: bigint | null;
  readonly isTest: boolean;
  readonly amountMinor: bigint;
  readonly currency: Currency;
  readonly description: string;
  readonly merchantComments: string | null;
  readonly culture: 'ru' | 'en' | null;
  readonly email: string | null;
  readonly userFields: readonly (readonly [string, string])[];
  readonly receipt: string | null;
  readonly resultUrl2: string | null;
  readonly successUrl2: string | null;
  readonly successUrl2Method: HttpMethod | null;
  readonly failUrl2: string | null;
  readonly failUrl2Method: HttpMethod | null;
  readonly expiresAt: Date | null;
}

export interface InvoiceOrigin {
  readonly source: InvoiceSource;
  /** The cabinet's user; null for the Invoice API. */
  readonly createdBy: string | null;
  readonly ip: string | null;
  /** The link's id when the caller derives it (the Invoice API: from the signed token, so a replay finds it). */
  readonly id?: string;
}

/** Robokassa's shape of a link (`https://auth.robokassa.ru/merchant/Invoice/<EncodedId>`) on Kopek's host. */
export function invoiceUrl(publicUrl: string, encodedId: string): string {
  return `${publicUrl}/merchant/Invoice/${encodedId}`;
}

/** The rules of payment start (errors 25 and 41), applied when the link is made, so it is never a dud. */
function checkShopMayTake(deps: Deps, shop: ShopsTable, isTest: boolean): void {
  if (isTest) return;
  if (deps.config.isProduction && deps.providers.cardAcquirer.isSandbox)
    throw invoiceErrors.sandboxTakesTestPaymentsOnly();
  if (shop.status !== 'active') throw invoiceErrors.shopTakesTestPaymentsOnly();
}

/**
 * One number space with the InvIds payments are assigned (the payments module's sequence), so a number
 * Kopek gives a link never collides with one it gives a payment.
 */
async function nextAssignedInvId(trx: Transaction<Database>): Promise<bigint> {
  const next = await sql<{ id: bigint }>`select nextval('assigned_inv_id_seq') as id`.execute(trx);
  const invId = next.rows[0]?.id;
  if (invId === undefined) throw new Error('assigned_inv_id_seq returned nothing');
  return invId;
}

/** A one-time link's InvId becomes its payment's: a live payment must not hold it already. */
async function isLiveInvIdTaken(trx: Transaction<Database>, shopId: string, invId: bigint): Promise<boolean> {
  const payment = await trx
    .selectFrom('payments')
    .select('id')
    .where('shop_id', '=', shopId)
    .where('inv_id', '=', invId)
    .where('is_test', '=', false)
    .executeTakeFirst();
  return payment !== undefined;
}

async function insertInvoice(
  trx: Transaction<Database>,
  deps: Deps,
  shop: ShopsTable,
  invoice: NewInvoice,
  origin: InvoiceOrigin,
): Promise<InvoiceRow> {
  const invId = invoice.invId ?? (invoice.invoiceType === 'OneTime' ? await nextAssignedInvId(trx) : null);
  if (invoice.invoiceType === 'OneTime' && invId !== null && !invoice.isTest) {
    if (await isLiveInvIdTaken(trx, shop.id, invId)) throw invoiceErrors.invIdTaken({ invId: String(invId) });
  }
  const row = await withInvoiceTablesInTransaction(trx)
    .insertInto('invoices')
    .values({
      id: origin.id ?? createId('inv'),
      encoded_id: randomBase32(20),
      shop_id: shop.id,
      account_id: shop.account_id,
      inv_id: invId,
      invoice_type: invoice.invoiceType,
      source: origin.source,
      is_test: invoice.isTest,
      amount_minor: invoice.amountMinor,
      currency: invoice.currency,
      description: invoice.description,
      merchant_comments: invoice.merchantComments,
      culture: invoice.culture,
      email: invoice.email,
      user_fields: JSON.stringify(invoice.userFields),
      receipt: invoice.receipt,
      result_url2: invoice.resultUrl2,
      success_url2: invoice.successUrl2,
      success_url2_method: invoice.successUrl2Method,
      fail_url2: invoice.failUrl2,
      fail_url2_method: invoice.failUrl2Method,
      expires_at: invoice.expiresAt,
      created_by: origin.createdBy,
      created_at: deps.clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(trx, deps.clock, {
    accountId: shop.account_id,
    actorUserId: origin.createdBy,
    action: 'invoice.created',
    target: row.id,
    details: { shopId: shop.id, source: origin.source, invoiceType: row.invoice_type, isTest: row.is_test },
    ip: origin.ip,
  });
  return row;
}

export async function createInvoice(
  deps: Deps,
  shop: ShopsTable,
  invoice: NewInvoice,
  origin: InvoiceOrigin,
): Promise<InvoiceRow> {
  checkShopMayTake(deps, shop, invoice.isTest);
  try {
    return await deps.db.transaction().execute((trx) => insertInvoice(trx, deps, shop, invoice, origin));
  } catch (error) {
    // Two links racing for one InvId: the unique index settles it, and the loser hears what the check says.
    if (isUniqueViolation(error, 'invoices_shop_inv_id_key'))
      throw invoiceErrors.invIdTaken({ invId: String(invoice.invId) });
    throw error;
  }
}

/** How a caller names a link: Robokassa's DeactivateInvoice accepts any one of these. */
export type InvoiceReference =
  { readonly encodedId: string } | { readonly id: string } | { readonly invId: bigint };

export async function findShopInvoice(
  deps: Pick<Deps, 'db'>,
  shopId: string,
  reference: InvoiceReference,
): Promise<InvoiceRow | undefined> {
  let query = withInvoiceTables(deps.db).selectFrom('invoices').selectAll().where('shop_id', '=', shopId);
  if ('encodedId' in reference) query = query.where('encoded_id', '=', reference.encodedId);
  else if ('id' in reference) query = query.where('id', '=', reference.id);
  else query = query.where('inv_id', '=', reference.invId);
  return query.executeTakeFirst();
}

/** Stops the link taking payments; deactivating twice changes nothing. Payments already made stand. */
export async function deactivateInvoice(
  deps: Deps,
  invoice: InvoiceRow,
  actor: { readonly userId: string | null; readonly ip: string | null },
): Promise<InvoiceRow> {
  return deps.db.transaction().execute(async (trx) => {
    const invoices = withInvoiceTablesInTransaction(trx);
    const updated = await invoices
      .updateTable('invoices')
      .set({ deactivated_at: deps.clock.now() })
      .where('id', '=', invoice.id)
      .where('deactivated_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      return invoices
        .selectFrom('invoices')
        .selectAll()
        .where('id', '=', invoice.id)
        .executeTakeFirstOrThrow();
    }
    await recordAudit(trx, deps.clock, {
      accountId: invoice.account_id,
      actorUserId: actor.userId,
      action: 'invoice.deactivated',
      target: invoice.id,
      details: { shopId: invoice.shop_id },
      ip: actor.ip,
    });
    return updated;
  });
}
