/**
 * Fiscal receipts: created in the transaction of the payment or refund that causes them (a rollback
 * leaves no receipt, a commit can never lose one), registered and followed by the 'fiscal.register' job,
 * shown and retried from the cabinet.
 *
 * Rules:
 * - One receipt per payment ('sell') and per refund ('sell_refund'); a repeated call answers the first.
 * - Test payments and shops without fiscal settings get none (Robokassa never fiscalises test payments).
 * - Receipt data that cannot be registered (sums, contacts, incomplete settings) never rolls back the
 *   payment: the receipt is recorded as failed with the reason, for the merchant to see and retry.
 * - A retry of a failed receipt rebuilds the document from the stored draft and the shop's current
 *   settings under a new external id (the failed document was not fiscalised); a retry of a receipt whose
 *   automatic attempts or polls ran out continues with the same external id or uuid.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { Clock } from '../../platform/clock.js';
import { createId } from '../../platform/ids.js';
import type { LocalizedText } from '../../platform/i18n.js';
import { formatMinor } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import type { MerchantActor } from '../accounts/index.js';
import { recordAudit } from '../audit/index.js';
import { companyOf, findFiscalSettingsRow, hasCompleteAccount } from './fiscal-settings.service.js';
import { draftFromJson, draftToJson } from './fiscal.draft-json.js';
import { buildCheckPageUrl } from './fiscal.qr.js';
import { fiscalErrors } from './fiscal.errors.js';
import {
  describeProblems,
  draftTotalMinor,
  findDraftProblems,
  type FiscalReceiptDraft,
} from './fiscal.receipt.js';
import { AUTOMATIC_ATTEMPTS, AUTOMATIC_POLLS, RUN_LEASE_MS, scheduleReceiptRun } from './fiscal.schedule.js';
import {
  withFiscalTables,
  withFiscalTablesInTransaction,
  type FailedGeneration,
  type FiscalReceiptKind,
  type FiscalReceiptRow,
  type FiscalReceiptStatus,
  type FiscalSettingsRow,
  type FiscalTables,
} from './fiscal.tables.js';
import { buildAtolDocument } from './providers/atol.document.js';

export interface NewFiscalReceipt {
  readonly kind: FiscalReceiptKind;
  readonly paymentId: string;
  /**
   * The refund a 'sell_refund' receipt is for; absent for 'sell', and for a refund of the whole payment
   * that is not a row of `refunds` (a safe deal's escrow given back to the buyer).
   */
  readonly refundId?: string | undefined;
  /**
   * What was sold or returned; its total must equal the payment's (or the refund's) amount. Or why no
   * description could be made (draftFromRobokassaReceipt's problem): the receipt is then recorded as
   * failed with that reason, for the merchant to see.
   */
  readonly receipt: FiscalReceiptDraft | LocalizedText;
  /**
   * A second (final) receipt of a prepayment (Receipt/Attach): its own number. Its total is its own
   * (the offset of the advance, plus any extra payment), not the payment's amount.
   */
  readonly secondReceiptId?: bigint | undefined;
  /**
   * The merchant's own number of the first receipt it registers later (Receipt/Register, for a payment
   * made with IsWithoutFreeSale=true): kept in second_receipt_id so Receipt/Status finds it by that number.
   */
  readonly deferredReceiptId?: bigint | undefined;
}

export interface EnqueuedFiscalReceipt {
  readonly receiptId: string;
  readonly status: FiscalReceiptStatus;
  /** False when the payment or refund already had its receipt (a repeated call). */
  readonly isNew: boolean;
}

const text = (ru: string, en: string): LocalizedText => ({ ru, en });
const notRoubles = text('чеки 54-ФЗ выдаются в рублях.', '54-FZ receipts are in roubles.');
const settingsIncomplete = text(
  'настройки фискализации магазина заполнены не полностью.',
  "the shop's fiscal settings are incomplete.",
);

function sourceKeyOf(input: NewFiscalReceipt): string {
  if (input.secondReceiptId !== undefined) return `payment:${input.paymentId}:second`;
  if (input.kind === 'sell') return `payment:${input.paymentId}:sell`;
  return input.refundId === undefined
    ? `payment:${input.paymentId}:sell_refund`
    : `refund:${input.refundId}:sell_refund`;
}

function externalIdOf(receiptId: string, generation: number): string {
  return `${receiptId}.${generation}`;
}

/** The payment (and refund) the receipt is for, with the amount its total must match. */
async function findSubject(trx: Transaction<Database>, input: NewFiscalReceipt) {
  const payment = await trx
    .selectFrom('payments')
    .select(['id', 'shop_id', 'account_id', 'is_test', 'amount_minor', 'currency'])
    .where('id', '=', input.paymentId)
    .executeTakeFirst();
  if (!payment) throw new Error(`enqueueFiscalReceipt: no payment ${input.paymentId}`);
  if (input.kind === 'sell') {
    if (input.refundId !== undefined) throw new Error('enqueueFiscalReceipt: a sell receipt has no refundId');
    if (input.secondReceiptId !== undefined && 'items' in input.receipt)
      return { payment, amountMinor: draftTotalMinor(input.receipt) };
    return { payment, amountMinor: payment.amount_minor };
  }
  // The whole payment returned without a refund row (a safe deal's escrow).
  if (input.refundId === undefined) return { payment, amountMinor: payment.amount_minor };
  const refund = input.refundId
    ? await trx
        .selectFrom('refunds')
        .select(['id', 'payment_id', 'amount_minor'])
        .where('id', '=', input.refundId)
        .executeTakeFirst()
    : undefined;
  if (!refund || refund.payment_id !== payment.id)
    throw new Error(`enqueueFiscalReceipt: no refund ${input.refundId ?? '(none)'} of payment ${payment.id}`);
  return { payment, amountMinor: refund.amount_minor };
}

/**
 * The 'sell_refund' receipt of a sale returned whole outside the refunds table (a safe deal's escrow
 * given back to the buyer): the lines of the payment's own 'sell' receipt again. Nothing when the sale
 * had no receipt through Kopek (no fiscal settings, IsWithoutFreeSale) or a failed one without lines.
 */
export async function enqueueWholeSaleRefundReceipt(
  trx: Transaction<Database>,
  clock: Clock,
  paymentId: string,
): Promise<EnqueuedFiscalReceipt | null> {
  const sale = await withFiscalTablesInTransaction(trx)
    .selectFrom('fiscal_receipts')
    .select('draft')
    .where('source_key', '=', `payment:${paymentId}:sell`)
    .executeTakeFirst();
  const draft = sale ? draftFromJson(sale.draft) : undefined;
  if (!draft || draft instanceof Error || draft.items.length === 0) return null;
  return enqueueFiscalReceipt(trx, clock, { kind: 'sell_refund', paymentId, receipt: draft });
}

interface Generation {
  readonly request: unknown;
  readonly problems: readonly LocalizedText[];
}

/** The document of a generation, or why there can be none. */
function buildGeneration(
  settings: FiscalSettingsRow,
  subject: { readonly draft: FiscalReceiptDraft; readonly amountMinor: bigint; readonly currency: string },
  externalId: string,
  createdAt: Date,
): Generation {
  const problems = [...findDraftProblems(subject.draft, subject.amountMinor)];
  if (subject.currency !== 'RUB') problems.unshift(notRoubles);
  const company = companyOf(settings);
  if (!company || !hasCompleteAccount(settings)) problems.unshift(settingsIncomplete);
  if (problems.length > 0 || !company) return { request: null, problems };
  return { request: buildAtolDocument({ externalId, createdAt, company, draft: subject.draft }), problems };
}

/**
 * Records the receipt for a paid payment or a refund and schedules its registration, inside the
 * caller's transaction. Answers null when the shop does not fiscalise through Kopek or the payment is a
 * test one. Throws only on programming errors (an unknown payment or refund): bad receipt data gives a
 * receipt in status 'fail' with the reason, so the money's transaction still commits.
 */
export async function enqueueFiscalReceipt(
  trx: Transaction<Database>,
  clock: Clock,
  input: NewFiscalReceipt,
): Promise<EnqueuedFiscalReceipt | null> {
  const tables = withFiscalTablesInTransaction(trx);
  const sourceKey = sourceKeyOf(input);
  const existing = await tables
    .selectFrom('fiscal_receipts')
    .select(['id', 'status'])
    .where('source_key', '=', sourceKey)
    .executeTakeFirst();
  if (existing) return { receiptId: existing.id, status: existing.status, isNew: false };
  const { payment, amountMinor } = await findSubject(trx, input);
  if (payment.is_test) return null;
  const settings = await findFiscalSettingsRow(trx, payment.shop_id);
  if (!settings || settings.provider === 'none') return null;
  const receiptId = createId('fsr');
  const now = clock.now();
  const draft = 'items' in input.receipt ? input.receipt : { items: [] };
  const subject = { draft, amountMinor, currency: payment.currency };
  const { request, problems } =
    'items' in input.receipt
      ? buildGeneration(settings, subject, externalIdOf(receiptId, 1), now)
      : { request: null, problems: [input.receipt] };
  const isFailed = problems.length > 0;
  const inserted = await tables
    .insertInto('fiscal_receipts')
    .values({
      id: receiptId,
      account_id: payment.account_id,
      shop_id: payment.shop_id,
      payment_id: payment.id,
      refund_id: input.kind === 'sell' ? null : (input.refundId ?? null),
      kind: input.kind,
      source_key: sourceKey,
      generation: 1,
      external_id: externalIdOf(receiptId, 1),
      base_url: settings.base_url,
      group_code: settings.group_code ?? '',
      draft: JSON.stringify(draftToJson(draft)),
      request: isFailed ? null : JSON.stringify(request),
      total_minor: amountMinor,
      status: isFailed ? 'fail' : 'pending',
      attempt_limit: AUTOMATIC_ATTEMPTS,
      poll_limit: AUTOMATIC_POLLS,
      error: isFailed ? describeProblems(problems) : null,
      failed_at: isFailed ? now : null,
      second_receipt_id: input.secondReceiptId ?? input.deferredReceiptId ?? null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.column('source_key').doNothing())
    .returning(['id', 'status'])
    .executeTakeFirst();
  if (!inserted) {
    const first = await tables
      .selectFrom('fiscal_receipts')
      .select(['id', 'status'])
      .where('source_key', '=', sourceKey)
      .executeTakeFirstOrThrow();
    return { receiptId: first.id, status: first.status, isNew: false };
  }
  if (!isFailed) await scheduleReceiptRun(trx, clock, receiptId, now);
  return { receiptId, status: inserted.status, isNew: true };
}

export interface FiscalDataView {
  readonly fnNumber: string;
  readonly fiscalDocumentNumber: string;
  readonly fiscalDocumentAttribute: string;
  readonly fiscalReceiptNumber: number | null;
  readonly shiftNumber: number | null;
  /** As printed on the receipt (Moscow time, dd.mm.yyyy HH:MM:SS). */
  readonly receiptDatetime: string | null;
  readonly registeredAt: string | null;
  readonly total: string | null;
  readonly ecrRegistrationNumber: string | null;
  readonly ofdInn: string | null;
  readonly ofdReceiptUrl: string | null;
  readonly fnsSite: string | null;
  /** The fiscal QR code's text. */
  readonly qr: string;
  /** Where the buyer checks the receipt (the operator's page, else the tax service's site). */
  readonly checkUrl: string | null;
}

export interface FiscalReceiptView {
  readonly id: string;
  readonly shopId: string;
  readonly paymentId: string;
  readonly refundId: string | null;
  readonly kind: FiscalReceiptKind;
  readonly status: FiscalReceiptStatus;
  readonly total: string;
  readonly generation: number;
  readonly externalId: string;
  readonly uuid: string | null;
  readonly attempts: number;
  readonly polls: number;
  readonly error: string | null;
  readonly failureHistory: readonly FailedGeneration[];
  readonly nextAttemptAt: string | null;
  readonly canRetry: boolean;
  /** Receipt/Attach's id when this is a prepayment's second (final) receipt. */
  readonly secondReceiptId: string | null;
  /** When the buyer's e-mail with the fiscal data was enqueued. */
  readonly buyerMailedAt: string | null;
  readonly fiscal: FiscalDataView | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A receipt the job no longer works on and that a person may send again: failed, or stopped after its
 * automatic attempts or polls, or left by a run whose worker died (claimed long ago, nothing recorded).
 */
export function isRetryable(receipt: FiscalReceiptRow, now: Date): boolean {
  if (receipt.status === 'fail') return true;
  if (receipt.status === 'done' || receipt.next_attempt_at !== null) return false;
  const isExhausted =
    receipt.status === 'pending'
      ? receipt.attempts >= receipt.attempt_limit
      : receipt.polls >= receipt.poll_limit;
  const isAbandoned =
    receipt.last_attempt_at === null || receipt.last_attempt_at.getTime() < now.getTime() - RUN_LEASE_MS;
  return isExhausted || isAbandoned;
}

function toFiscalData(receipt: FiscalReceiptRow): FiscalDataView | null {
  if (receipt.status !== 'done' || receipt.fn_number === null || receipt.qr === null) return null;
  return {
    fnNumber: receipt.fn_number,
    fiscalDocumentNumber: String(receipt.fiscal_document_number),
    fiscalDocumentAttribute: String(receipt.fiscal_document_attribute),
    fiscalReceiptNumber: receipt.fiscal_receipt_number,
    shiftNumber: receipt.shift_number,
    receiptDatetime: receipt.receipt_datetime,
    registeredAt: receipt.registered_at?.toISOString() ?? null,
    total: receipt.fiscal_total_minor === null ? null : formatMinor(receipt.fiscal_total_minor, 'RUB'),
    ecrRegistrationNumber: receipt.ecr_registration_number,
    ofdInn: receipt.ofd_inn,
    ofdReceiptUrl: receipt.ofd_receipt_url,
    fnsSite: receipt.fns_site,
    qr: receipt.qr,
    checkUrl: buildCheckPageUrl({ ofdReceiptUrl: receipt.ofd_receipt_url, fnsSite: receipt.fns_site }),
  };
}

export function toFiscalReceiptView(receipt: FiscalReceiptRow, now: Date): FiscalReceiptView {
  return {
    id: receipt.id,
    shopId: receipt.shop_id,
    paymentId: receipt.payment_id,
    refundId: receipt.refund_id,
    kind: receipt.kind,
    status: receipt.status,
    total: formatMinor(receipt.total_minor, 'RUB'),
    generation: receipt.generation,
    externalId: receipt.external_id,
    uuid: receipt.uuid,
    attempts: receipt.attempts,
    polls: receipt.polls,
    error: receipt.error,
    failureHistory: receipt.failure_history,
    nextAttemptAt: receipt.next_attempt_at?.toISOString() ?? null,
    canRetry: isRetryable(receipt, now),
    // A deferred first receipt (Receipt/Register) keeps the merchant's number too, but is no final receipt.
    secondReceiptId: receipt.source_key.endsWith(':second')
      ? (receipt.second_receipt_id?.toString() ?? null)
      : null,
    buyerMailedAt: receipt.buyer_mailed_at?.toISOString() ?? null,
    fiscal: toFiscalData(receipt),
    createdAt: receipt.created_at.toISOString(),
    updatedAt: receipt.updated_at.toISOString(),
  };
}

export const DEFAULT_RECEIPT_PAGE_SIZE = 50;
export const MAX_RECEIPT_PAGE_SIZE = 200;

export interface ReceiptFilter {
  readonly shopId?: string | undefined;
  readonly paymentId?: string | undefined;
  readonly status?: FiscalReceiptStatus | undefined;
  readonly limit: number;
}

/** The account's receipts, newest first, one page. */
export async function listFiscalReceipts(
  deps: Deps,
  accountId: string,
  filter: ReceiptFilter,
): Promise<{ items: FiscalReceiptView[] }> {
  let query = withFiscalTables(deps.db)
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(filter.limit, 1), MAX_RECEIPT_PAGE_SIZE));
  if (filter.shopId !== undefined) query = query.where('shop_id', '=', filter.shopId);
  if (filter.paymentId !== undefined) query = query.where('payment_id', '=', filter.paymentId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const now = deps.clock.now();
  return { items: (await query.execute()).map((row) => toFiscalReceiptView(row, now)) };
}

async function findOwnReceipt(
  executor: Kysely<Database> | Transaction<Database>,
  accountId: string,
  receiptId: string,
  lock: boolean,
): Promise<FiscalReceiptRow> {
  let query = executor
    .withTables<FiscalTables>()
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('id', '=', receiptId)
    .where('account_id', '=', accountId);
  if (lock) query = query.forUpdate();
  const receipt = await query.executeTakeFirst();
  if (!receipt) throw fiscalErrors.receiptNotFound();
  return receipt;
}

export async function getFiscalReceipt(
  deps: Deps,
  accountId: string,
  receiptId: string,
): Promise<FiscalReceiptView> {
  return toFiscalReceiptView(await findOwnReceipt(deps.db, accountId, receiptId, false), deps.clock.now());
}

/** The amount a receipt's total must match: its refund's, or its payment's. */
async function expectedAmountOf(trx: Transaction<Database>, receipt: FiscalReceiptRow) {
  const payment = await trx
    .selectFrom('payments')
    .select(['amount_minor', 'currency'])
    .where('id', '=', receipt.payment_id)
    .executeTakeFirstOrThrow();
  // A second receipt carries its own total (the advance's offset and any extra payment).
  if (receipt.second_receipt_id !== null)
    return { amount_minor: receipt.total_minor, currency: payment.currency };
  if (receipt.refund_id === null) return payment;
  const refund = await trx
    .selectFrom('refunds')
    .select('amount_minor')
    .where('id', '=', receipt.refund_id)
    .executeTakeFirstOrThrow();
  return { amount_minor: refund.amount_minor, currency: payment.currency };
}

/** A failed receipt's next generation: the failure goes to the history, a new document and external id. */
async function startNextGeneration(
  deps: Deps,
  trx: Transaction<Database>,
  receipt: FiscalReceiptRow,
): Promise<void> {
  const settings = await findFiscalSettingsRow(trx, receipt.shop_id);
  if (!settings || settings.provider === 'none') throw fiscalErrors.fiscalisationOff();
  const draft = draftFromJson(receipt.draft);
  if (draft instanceof Error) throw draft;
  // No description could be made from what the merchant sent: nothing to rebuild, the reason stands.
  if (draft.items.length === 0) return;
  const amount = await expectedAmountOf(trx, receipt);
  const now = deps.clock.now();
  const generation = receipt.generation + 1;
  const subject = { draft, amountMinor: amount.amount_minor, currency: amount.currency };
  const { request, problems } = buildGeneration(settings, subject, externalIdOf(receipt.id, generation), now);
  const tables = withFiscalTablesInTransaction(trx);
  if (problems.length > 0) {
    // Nothing can be sent: the receipt stays failed, with today's reason.
    await tables
      .updateTable('fiscal_receipts')
      .set({ error: describeProblems(problems), failed_at: now, updated_at: now })
      .where('id', '=', receipt.id)
      .execute();
    return;
  }
  const failure: FailedGeneration = {
    generation: receipt.generation,
    externalId: receipt.external_id,
    uuid: receipt.uuid,
    error: receipt.error ?? '',
    failedAt: (receipt.failed_at ?? now).toISOString(),
  };
  await tables
    .updateTable('fiscal_receipts')
    .set({
      generation,
      external_id: externalIdOf(receipt.id, generation),
      base_url: settings.base_url,
      group_code: settings.group_code ?? '',
      request: JSON.stringify(request),
      status: 'pending',
      uuid: null,
      error: null,
      failed_at: null,
      failure_history: JSON.stringify([...receipt.failure_history, failure].slice(-20)),
      polls: 0,
      poll_limit: AUTOMATIC_POLLS,
      attempt_limit: receipt.attempts + AUTOMATIC_ATTEMPTS,
      updated_at: now,
    })
    .where('id', '=', receipt.id)
    .execute();
  await scheduleReceiptRun(trx, deps.clock, receipt.id, now);
}

/**
 * Sends a receipt again from the cabinet (see isRetryable): a failed one as a new generation, a stopped
 * one with another round of attempts or polls under the same external id or uuid. Audited.
 */
export async function retryFiscalReceipt(
  deps: Deps,
  actor: MerchantActor,
  receiptId: string,
  ip: string | null,
): Promise<FiscalReceiptView> {
  await deps.db.transaction().execute(async (trx) => {
    const receipt = await findOwnReceipt(trx, actor.accountId, receiptId, true);
    const now = deps.clock.now();
    if (!isRetryable(receipt, now)) throw fiscalErrors.receiptNotRetryable({ status: receipt.status });
    const tables = withFiscalTablesInTransaction(trx);
    if (receipt.status === 'fail') await startNextGeneration(deps, trx, receipt);
    else {
      const limits =
        receipt.status === 'pending'
          ? { attempt_limit: receipt.attempts + AUTOMATIC_ATTEMPTS }
          : { poll_limit: receipt.polls + AUTOMATIC_POLLS };
      await tables
        .updateTable('fiscal_receipts')
        .set({ ...limits, updated_at: now })
        .where('id', '=', receipt.id)
        .execute();
      await scheduleReceiptRun(trx, deps.clock, receipt.id, now);
    }
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'fiscal_receipt.retried',
      target: receipt.id,
      details: { status: receipt.status, generation: receipt.generation },
      ip,
    });
  });
  return getFiscalReceipt(deps, actor.accountId, receiptId);
}

/**
 * ATOL's callback is a hint, never trusted as such (reference §1.8): for a receipt waiting under this
 * uuid, the next report poll is moved to now, and the report itself decides. Anything else is ignored.
 */
export async function acceptProviderCallback(deps: Deps, receiptId: string, uuid: string): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const receipt = await withFiscalTablesInTransaction(trx)
      .selectFrom('fiscal_receipts')
      .select(['id', 'status', 'uuid'])
      .where('id', '=', receiptId)
      .forUpdate()
      .executeTakeFirst();
    if (!receipt || receipt.status !== 'wait' || receipt.uuid !== uuid) return false;
    await scheduleReceiptRun(trx, deps.clock, receipt.id, deps.clock.now());
    return true;
  });
}
