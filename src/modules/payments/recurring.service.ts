/**
 * Child recurring charges (`POST /Merchant/Recurring`, robokassa-protocol.md §7). Accepting a charge
 * records the child payment and enqueues its charge job in one transaction, and answers `OK<InvoiceID>`:
 * acceptance, not proof of payment. The job (recurring.jobs.ts) charges the card the parent saved, and
 * the outcome goes through the card flow's outcome recording, so a paid child causes what any paid card
 * payment causes (ledger, ResultURL, ResultUrl2, webhooks, messages, e-mail, fiscal receipt).
 *
 * InvoiceID rules, as for the payment request where they apply: a new number makes a new child; a number
 * 0 or absent is assigned; a number whose payment is paid answers 40; a number already used by a child
 * still being charged answers OK again and charges nothing more (a repeated or concurrent request); a
 * declined child is charged again; a number used by any other payment is refused (30).
 */
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { credentialFailureLimiter } from '../../platform/http/credential-failures.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import type { Database, PaymentRow, ShopsTable } from '../../schema.js';
import {
  parseReceipt,
  protocolError,
  receiptToStoredJson,
  verifyInitSignature,
  type InitRequest,
  type ProtocolError,
  type RequestFields,
} from '../protocol/index.js';
import { findShopByMerchantLogin, readShopPasswords } from '../shops/index.js';
import { findSavedCard } from '../vault/index.js';
import { recordPaymentEvent } from './payment.events.js';
import { parseRecurringChargeRequest, type RecurringChargeRequest } from './recurring-request.js';
import { RECURRING_CHARGE_QUEUE, type RecurringChargePayload } from './recurring.jobs.js';

/** The request, with its Receipt as read (stored with the payment for the fiscal receipt). */
interface ChildCharge extends RecurringChargeRequest {
  readonly receiptParsed: string | null;
}

export type RecurringOutcome =
  | { readonly kind: 'accepted'; readonly invId: bigint; readonly paymentId: string }
  | { readonly kind: 'refused'; readonly error: ProtocolError };

/** Paid, or a hold taking the money: the InvoiceID is spent (error 40). */
const SPENT_STATUSES: ReadonlySet<PaymentRow['status']> = new Set(['paid', 'held', 'released']);

const TOO_MANY_FAILURES: RecurringOutcome = {
  kind: 'refused',
  error: protocolError(41, 'SignatureValue', {
    ru: 'Слишком много запросов с неверной подписью с этого адреса. Повторите позже.',
    en: 'Too many requests with a wrong signature from this address. Try again later.',
  }),
};

function refused(code: number, field: string, ru: string, en: string): RecurringOutcome {
  return { kind: 'refused', error: protocolError(code, field, { ru, en }) };
}

/** Shop, activation, signature (live Password #1 only: there is no test mode) and the permission. */
function checkShop(
  deps: Deps,
  shop: ShopsTable | undefined,
  request: InitRequest,
): ProtocolError | undefined {
  if (!shop) return protocolError(26, 'MerchantLogin');
  if (deps.config.isProduction && deps.providers.cardAcquirer.isSandbox) {
    return protocolError(41, 'MerchantLogin', {
      ru: 'На этой установке нет настоящего эквайера, а у повторных списаний нет тестового режима.',
      en: 'This installation has no real acquirer, and recurring charges have no test mode.',
    });
  }
  if (shop.status !== 'active') return protocolError(25, 'MerchantLogin');
  const { password1 } = readShopPasswords(deps.config.masterKey, shop);
  const signature = verifyInitSignature(
    request.signatureParams,
    password1,
    shop.hash_algorithm,
    request.signatureValue,
  );
  if (!signature.isValid) return protocolError(29, 'SignatureValue');
  if (!shop.is_recurring_allowed) return protocolError(34, 'MerchantLogin');
  return undefined;
}

/** The child's Receipt by the 54-FZ rules (items adding up to OutSum), as the payment request reads it. */
function readReceipt(request: InitRequest): { receiptParsed: string | null } | { error: ProtocolError } {
  if (request.receipt === undefined) return { receiptParsed: null };
  const parsed = parseReceipt(request.receipt, request.outSumMinor);
  return parsed.ok ? { receiptParsed: receiptToStoredJson(parsed.receipt) } : { error: parsed.error };
}

export async function acceptRecurringCharge(
  deps: Deps,
  fields: RequestFields,
  ip: string,
): Promise<RecurringOutcome> {
  const failures = credentialFailureLimiter(deps);
  if (failures.check(ip).isRefused) return TOO_MANY_FAILURES;
  const parsed = parseRecurringChargeRequest(fields);
  if (!parsed.ok) return { kind: 'refused', error: parsed.error };
  const { charge } = parsed;
  const shop = await findShopByMerchantLogin(deps.db, charge.request.merchantLogin);
  const problem = checkShop(deps, shop, charge.request);
  // Wrong signatures count towards the address's limit, as on every signed endpoint.
  if (problem?.code === 29 && (await failures.recordFailure(ip)).isRefused) return TOO_MANY_FAILURES;
  if (problem || !shop) return { kind: 'refused', error: problem ?? protocolError(26) };
  const receipt = readReceipt(charge.request);
  if ('error' in receipt) return { kind: 'refused', error: receipt.error };
  const child: ChildCharge = { ...charge, receiptParsed: receipt.receiptParsed };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.db.transaction().execute((trx) => recordCharge(trx, deps, shop, child, ip));
    } catch (error) {
      // Two requests for one new InvoiceID at once: the loser retries and finds the winner's child.
      if (attempt < 3 && isUniqueViolation(error, 'payments_live_inv_id_key')) continue;
      throw error;
    }
  }
}

/** The paid payment of PreviousInvoiceID in this shop, and the card it saved; or why not (35). */
async function findParent(
  trx: Transaction<Database>,
  shop: ShopsTable,
  previousInvoiceId: bigint,
): Promise<{ parent: PaymentRow } | { error: ProtocolError }> {
  const parent = await trx
    .selectFrom('payments')
    .selectAll()
    .where('shop_id', '=', shop.id)
    .where('inv_id', '=', previousInvoiceId)
    .where('is_test', '=', false)
    .executeTakeFirst();
  const error = (ru: string, en: string) => ({
    error: protocolError(35, 'PreviousInvoiceID', { ru, en }),
  });
  // Another shop's number reads as unknown: a shop learns nothing about other shops' payments.
  if (!parent) {
    return error(
      'В магазине нет платежа с номером PreviousInvoiceID.',
      'The shop has no payment with the PreviousInvoiceID number.',
    );
  }
  if (parent.status !== 'paid') {
    return error(
      'Материнский платёж (PreviousInvoiceID) не оплачен.',
      'The parent payment (PreviousInvoiceID) is not paid.',
    );
  }
  if (!(await findSavedCard(trx, { shopId: shop.id, paymentId: parent.id }))) {
    return error(
      'Платёж PreviousInvoiceID не материнский: он был без Recurring=true, и карта не сохранена.',
      'The PreviousInvoiceID payment is not a recurring parent: it was made without Recurring=true, so no card was saved.',
    );
  }
  return { parent };
}

async function recordCharge(
  trx: Transaction<Database>,
  deps: Deps,
  shop: ShopsTable,
  charge: ChildCharge,
  ip: string,
): Promise<RecurringOutcome> {
  const found = await findParent(trx, shop, charge.previousInvoiceId);
  if ('error' in found) return { kind: 'refused', error: found.error };
  const { request } = charge;
  if (request.invId === null) return insertChild(trx, deps, shop, found.parent, charge, ip);
  const existing = await trx
    .selectFrom('payments')
    .selectAll()
    .where('shop_id', '=', shop.id)
    .where('inv_id', '=', request.invId)
    .where('is_test', '=', false)
    .forUpdate()
    .executeTakeFirst();
  if (!existing) return insertChild(trx, deps, shop, found.parent, charge, ip);
  if (SPENT_STATUSES.has(existing.status)) return { kind: 'refused', error: protocolError(40, 'InvoiceID') };
  if (existing.previous_payment_id === null) {
    return refused(
      30,
      'InvoiceID',
      'Этот InvoiceID уже занят другим платежом магазина. Передайте новый номер.',
      'This InvoiceID is taken by another payment of the shop. Send a new number.',
    );
  }
  // Being charged now: the same request again, or one racing it. Nothing more is charged.
  if (existing.status === 'processing' || existing.status === 'awaiting_3ds') {
    return { kind: 'accepted', invId: existing.inv_id, paymentId: existing.id };
  }
  return rechargeChild(trx, deps, existing, found.parent, charge, ip);
}

function childValues(parent: PaymentRow, charge: ChildCharge, now: Date) {
  const { request } = charge;
  return {
    status: 'processing' as const,
    out_sum_text: request.outSumText,
    amount_minor: request.outSumMinor,
    currency: 'RUB' as const,
    description: request.description,
    culture: request.culture ?? null,
    shp: JSON.stringify(request.shp),
    receipt: request.receipt ?? null,
    receipt_parsed: charge.receiptParsed,
    result_url2: request.resultUrl2 ?? null,
    previous_payment_id: parent.id,
    updated_at: now,
  };
}

async function insertChild(
  trx: Transaction<Database>,
  deps: Deps,
  shop: ShopsTable,
  parent: PaymentRow,
  charge: ChildCharge,
  ip: string,
): Promise<RecurringOutcome> {
  const now = deps.clock.now();
  const { request } = charge;
  const invId = request.invId ?? (await assignInvId(trx));
  const paymentId = createId('pay');
  await trx
    .insertInto('payments')
    .values({
      id: paymentId,
      shop_id: shop.id,
      account_id: shop.account_id,
      inv_id: invId,
      is_inv_id_assigned: request.invId === null,
      is_test: false,
      created_at: now,
      ...childValues(parent, charge, now),
    })
    .execute();
  await recordPaymentEvent(trx, deps.clock, paymentId, 'created', {
    ip,
    isTest: false,
    invId: String(invId),
    recurring: { previousInvId: String(parent.inv_id), previousPaymentId: parent.id },
  });
  await enqueueCharge(trx, deps, paymentId);
  return { kind: 'accepted', invId, paymentId };
}

/** A declined (or expired) child asked for again with its InvoiceID: a new charge on the saved card. */
async function rechargeChild(
  trx: Transaction<Database>,
  deps: Deps,
  child: PaymentRow,
  parent: PaymentRow,
  charge: ChildCharge,
  ip: string,
): Promise<RecurringOutcome> {
  await trx
    .updateTable('payments')
    .set(childValues(parent, charge, deps.clock.now()))
    .where('id', '=', child.id)
    .execute();
  await recordPaymentEvent(trx, deps.clock, child.id, 'reinitiated', {
    ip,
    previousStatus: child.status,
    recurring: { previousInvId: String(parent.inv_id), previousPaymentId: parent.id },
  });
  await enqueueCharge(trx, deps, child.id);
  return { kind: 'accepted', invId: child.inv_id, paymentId: child.id };
}

async function assignInvId(trx: Transaction<Database>): Promise<bigint> {
  const next = await sql<{ id: bigint }>`select nextval('assigned_inv_id_seq') as id`.execute(trx);
  const id = next.rows[0]?.id;
  if (id === undefined) throw new Error('assigned_inv_id_seq returned nothing');
  return id;
}

/**
 * The charge job, in the acceptance's transaction. Its submission key names this charge: a job run
 * twice (a lease that ran out) finds its own attempt and charges nothing more.
 */
async function enqueueCharge(trx: Transaction<Database>, deps: Deps, paymentId: string): Promise<void> {
  const payload: RecurringChargePayload = { paymentId, submissionKey: createId('rc') };
  await enqueueJob(trx, deps.clock, { queue: RECURRING_CHARGE_QUEUE, payload, maxAttempts: 10 });
}
