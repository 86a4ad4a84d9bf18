/**
 * Payment links in the cabinet: the account's links with their states, one link with its payments, and
 * creating or deactivating one. Every query is scoped to the signed-in account: another account's shop
 * or link answers "not found", never someone else's data.
 */
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { formatMinor, parseDecimalToMinor, type Currency } from '../../platform/money.js';
import type { PaymentStatus } from '../../schema.js';
import type { MerchantActor } from '../accounts/index.js';
import { parseIsoDateTime } from '../protocol/index.js';
import { invoiceErrors } from './invoice.errors.js';
import { createInvoice, deactivateInvoice, invoiceUrl } from './invoice.service.js';
import { invoiceState, LAST_PAID_AT, PAID_COUNT, type InvoiceState } from './invoice.status.js';
import {
  withInvoiceTables,
  type InvoiceRow,
  type InvoiceSource,
  type InvoiceType,
} from './invoice.tables.js';

export const INVOICE_PAGE_SIZE = 20;
const MAX_DESCRIPTION_CHARACTERS = 100;

export interface InvoiceView {
  readonly id: string;
  readonly shopId: string;
  readonly shopName: string;
  readonly url: string;
  readonly invId: string | null;
  readonly invoiceType: InvoiceType;
  readonly state: InvoiceState;
  readonly amount: string;
  readonly currency: Currency;
  readonly description: string;
  readonly isTest: boolean;
  readonly source: InvoiceSource;
  readonly expiresAt: string | null;
  readonly deactivatedAt: string | null;
  readonly createdAt: string;
  readonly paidCount: number;
  readonly lastPaidAt: string | null;
}

export interface InvoicePaymentView {
  readonly id: string;
  readonly invId: string;
  readonly status: PaymentStatus;
  readonly createdAt: string;
  readonly paidAt: string | null;
}

type ListedRow = InvoiceRow & { shop_name: string; paid_count: bigint; last_paid_at: Date | null };

function toView(deps: Deps, row: ListedRow): InvoiceView {
  const paidCount = Number(row.paid_count);
  return {
    id: row.id,
    shopId: row.shop_id,
    shopName: row.shop_name,
    url: invoiceUrl(deps.config.publicUrl, row.encoded_id),
    invId: row.inv_id === null ? null : String(row.inv_id),
    invoiceType: row.invoice_type,
    state: invoiceState(row, paidCount, deps.clock.now()),
    amount: formatMinor(row.amount_minor, row.currency),
    currency: row.currency,
    description: row.description,
    isTest: row.is_test,
    source: row.source,
    expiresAt: row.expires_at?.toISOString() ?? null,
    deactivatedAt: row.deactivated_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    paidCount,
    lastPaidAt: row.last_paid_at?.toISOString() ?? null,
  };
}

function accountInvoices(deps: Deps, accountId: string) {
  return withInvoiceTables(deps.db)
    .selectFrom('invoices')
    .innerJoin('shops', 'shops.id', 'invoices.shop_id')
    .where('invoices.account_id', '=', accountId);
}

async function findAccountInvoice(deps: Deps, accountId: string, invoiceId: string): Promise<ListedRow> {
  const row = await accountInvoices(deps, accountId)
    .selectAll('invoices')
    .select(['shops.name as shop_name', PAID_COUNT.as('paid_count'), LAST_PAID_AT.as('last_paid_at')])
    .where('invoices.id', '=', invoiceId)
    .executeTakeFirst();
  if (!row) throw invoiceErrors.invoiceNotFound();
  return row;
}

export interface InvoiceListQuery {
  readonly shopId?: string | undefined;
  readonly page: number;
}

export async function listAccountInvoices(deps: Deps, accountId: string, query: InvoiceListQuery) {
  const base = accountInvoices(deps, accountId).$if(query.shopId !== undefined, (builder) =>
    builder.where('invoices.shop_id', '=', query.shopId ?? ''),
  );
  const counted = await base.select((eb) => eb.fn.countAll<bigint>().as('count')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll('invoices')
    .select(['shops.name as shop_name', PAID_COUNT.as('paid_count'), LAST_PAID_AT.as('last_paid_at')])
    .orderBy('invoices.created_at', 'desc')
    .orderBy('invoices.id', 'desc')
    .limit(INVOICE_PAGE_SIZE)
    .offset((query.page - 1) * INVOICE_PAGE_SIZE)
    .execute();
  return {
    items: rows.map((row) => toView(deps, row)),
    total: Number(counted.count),
    page: query.page,
    pageSize: INVOICE_PAGE_SIZE,
  };
}

/** One link with every payment it started, newest first (a reusable link may have many). */
export async function getAccountInvoice(deps: Deps, accountId: string, invoiceId: string) {
  const row = await findAccountInvoice(deps, accountId, invoiceId);
  const payments = await withInvoiceTables(deps.db)
    .selectFrom('invoice_payments')
    .innerJoin('payments', 'payments.id', 'invoice_payments.payment_id')
    .select(['payments.id', 'payments.inv_id', 'payments.status', 'payments.created_at', 'payments.paid_at'])
    .where('invoice_payments.invoice_id', '=', row.id)
    .orderBy('invoice_payments.created_at', 'desc')
    .limit(100)
    .execute();
  const paymentViews: InvoicePaymentView[] = payments.map((payment) => ({
    id: payment.id,
    invId: String(payment.inv_id),
    status: payment.status,
    createdAt: payment.created_at.toISOString(),
    paidAt: payment.paid_at?.toISOString() ?? null,
  }));
  return { ...toView(deps, row), payments: paymentViews };
}

/** The link's address, for the QR code: only the account's own links have one to show. */
export async function findAccountInvoiceUrl(deps: Deps, accountId: string, invoiceId: string) {
  const row = await findAccountInvoice(deps, accountId, invoiceId);
  return { url: invoiceUrl(deps.config.publicUrl, row.encoded_id), invId: row.inv_id };
}

export interface CabinetInvoiceInput {
  readonly shopId: string;
  readonly invoiceType: InvoiceType;
  readonly amount: string;
  readonly description: string;
  /** ISO 8601; absent or null: the link never expires. */
  readonly expiresAt?: string | null | undefined;
  readonly isTest?: boolean | undefined;
}

const PROBLEMS = {
  amount: {
    code: 'invalid_amount',
    text: {
      ru: 'Сумма: положительное число, не больше двух знаков после запятой.',
      en: 'Amount: a positive number with at most two decimals.',
    },
  },
  description: {
    code: 'invalid_description',
    text: {
      ru: 'Назначение платежа: от 1 до 100 символов.',
      en: 'Description: from 1 to 100 characters.',
    },
  },
  expiresAt: {
    code: 'invalid_expiry',
    text: {
      ru: 'Срок действия: дата и время в будущем.',
      en: 'Valid until: a date and time in the future.',
    },
  },
} satisfies Record<string, FieldProblem>;

function readCabinetInput(deps: Deps, input: CabinetInvoiceInput) {
  const problems: Record<string, FieldProblem> = {};
  const amountMinor = parseDecimalToMinor(input.amount.trim().replace(',', '.'), 'RUB');
  if (amountMinor === undefined || amountMinor <= 0n) problems.amount = PROBLEMS.amount;
  const description = input.description.trim();
  const length = [...description].length;
  if (length < 1 || length > MAX_DESCRIPTION_CHARACTERS) problems.description = PROBLEMS.description;
  const expiresAt = input.expiresAt ? parseIsoDateTime(input.expiresAt.trim()) : null;
  if (expiresAt === undefined || (expiresAt && expiresAt.getTime() <= deps.clock.now().getTime()))
    problems.expiresAt = PROBLEMS.expiresAt;
  if (Object.keys(problems).length > 0 || amountMinor === undefined) throw validationError(problems);
  return { amountMinor, description, expiresAt: expiresAt ?? null };
}

export async function createCabinetInvoice(
  deps: Deps,
  actor: MerchantActor,
  input: CabinetInvoiceInput,
  ip: string,
) {
  const shop = await deps.db
    .selectFrom('shops')
    .selectAll()
    .where('id', '=', input.shopId)
    .where('account_id', '=', actor.accountId)
    .executeTakeFirst();
  if (!shop) throw invoiceErrors.shopNotFound();
  const { amountMinor, description, expiresAt } = readCabinetInput(deps, input);
  const row = await createInvoice(
    deps,
    shop,
    {
      invoiceType: input.invoiceType,
      invId: null,
      isTest: input.isTest ?? false,
      amountMinor,
      currency: 'RUB',
      description,
      merchantComments: null,
      culture: null,
      email: null,
      // Robokassa marks its cabinet's links so; OpStateExt and ResultURL show it like any Shp parameter.
      userFields: [['shp_interface', 'invoice']],
      receipt: null,
      resultUrl2: null,
      successUrl2: null,
      successUrl2Method: null,
      failUrl2: null,
      failUrl2Method: null,
      expiresAt,
    },
    { source: 'cabinet', createdBy: actor.userId, ip },
  );
  return getAccountInvoice(deps, actor.accountId, row.id);
}

export async function deactivateCabinetInvoice(
  deps: Deps,
  actor: MerchantActor,
  invoiceId: string,
  ip: string,
) {
  const row = await findAccountInvoice(deps, actor.accountId, invoiceId);
  await deactivateInvoice(deps, row, { userId: actor.userId, ip });
  return getAccountInvoice(deps, actor.accountId, invoiceId);
}
