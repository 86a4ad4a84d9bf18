/**
 * Robokassa's second (final) receipt for a prepayment, `Receipt/Attach`, and `Receipt/Status`
 * (robokassa-protocol.md §9, atol-online.md §6.1). The envelope and the payloads are read by the
 * protocol module (receipt-attach.ts, parseSecondReceipt, parseReceiptStatusPayload); this decides what
 * they mean for Kopek's receipts.
 *
 * Attach registers a `sell` receipt with `full_payment` items (usually paid by the offset of the
 * advance, payment type 2) through the 'fiscal.register' job, like any other receipt. Rules:
 * - the shop is found by `merchantId` (its MerchantLogin) and the body verified with its Password #1
 *   and hash algorithm; an unknown shop or a bad signature is answered 1000, as Robokassa answers an
 *   unknown merchant (§15), without saying which;
 * - `originId` is the InvId of a paid live payment of the shop whose first receipt was a prepayment
 *   (an item with full_prepayment, prepayment or advance); test payments are never fiscalised;
 * - the offset (payment type 2) is at most the paid amount less its refunds;
 * - one second receipt per operation (Robokassa allows two receipts per operation): the same `id` sent
 *   again answers the first one, another `id` is refused; an `id` is the shop's, unique among its
 *   second receipts;
 * - the shop must fiscalise through Kopek (fiscal settings on), as Robokassa requires.
 * Every refusal that concerns the content is ResultCode 3 with a description naming the problem.
 *
 * Status answers for a second receipt's `id`, or else for the first receipt of the payment whose InvId
 * it is: 1 waiting (not yet registered), 2 registered (with the fiscal data), 3 error (with ATOL's
 * reason); an unknown one is 3 "not found".
 */
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { formatMinor } from '../../platform/money.js';
import type { ShopsTable } from '../../schema.js';
import {
  parseReceiptStatusPayload,
  parseRoboFiscalRequest,
  parseSecondReceipt,
  ROBOFISCAL_RESULT_CODE,
  verifyRoboFiscalSignature,
  type ReceiptStatusAnswer,
  type RoboFiscalRequest,
  type RoboFiscalResultCode,
  type SecondReceipt,
} from '../protocol/index.js';
import { findShopByMerchantLogin, readShopPasswords } from '../shops/index.js';
import { enqueueFiscalReceipt } from './fiscal-receipt.service.js';
import { findFiscalSettingsRow } from './fiscal-settings.service.js';
import { draftFromJson } from './fiscal.draft-json.js';
import type { FiscalPaymentType, FiscalReceiptDraft } from './fiscal.receipt.js';
import { withFiscalTables, type FiscalReceiptRow, type FiscalReceiptStatus } from './fiscal.tables.js';
import { draftFromReceipt } from './robokassa-receipt.js';

export interface AttachAnswer {
  readonly resultCode: RoboFiscalResultCode;
  readonly description: string;
  readonly opKey?: string | undefined;
}

const PREPAYMENT_METHODS = new Set(['full_prepayment', 'prepayment', 'advance']);
const OFFSET_OF_ADVANCE = 2;
const UNKNOWN_MERCHANT = 'Merchant not found or the signature does not match.';

const refusal = (description: string): AttachAnswer => ({
  resultCode: ROBOFISCAL_RESULT_CODE.error,
  description,
});

/** The shop of a verified request, or undefined for an unknown merchant or a bad signature. */
async function findSigningShop(deps: Deps, request: RoboFiscalRequest): Promise<ShopsTable | undefined> {
  const shop = await findShopByMerchantLogin(deps.db, request.merchantId.trim());
  if (!shop) return undefined;
  const password1 = readShopPasswords(deps.config.masterKey, shop).password1;
  return verifyRoboFiscalSignature(request, password1, shop.hash_algorithm) ? shop : undefined;
}

/** Reads the body and the shop that signed it; a problem is the answer to give. */
async function readSignedRequest(
  deps: Deps,
  body: unknown,
): Promise<{ request: RoboFiscalRequest; shop: ShopsTable } | { problem: AttachAnswer }> {
  const parsed = parseRoboFiscalRequest(body);
  if (!parsed.ok)
    return { problem: refusal(`The body is not base64url(JSON).signature (${parsed.problem}).`) };
  const shop = await findSigningShop(deps, parsed.request);
  if (!shop)
    return { problem: { resultCode: ROBOFISCAL_RESULT_CODE.internalError, description: UNKNOWN_MERCHANT } };
  return { request: parsed.request, shop };
}

/** The draft of the second receipt: its items, payments and tax system; the buyer from it or the payment. */
function secondReceiptDraft(second: SecondReceipt, paymentEmail: string | null): FiscalReceiptDraft {
  const base = draftFromReceipt(second, { email: second.client?.email ?? paymentEmail });
  const phone = second.client?.phone;
  return {
    ...base,
    payments: second.payments.map((payment) => ({
      type: payment.type as FiscalPaymentType,
      sumMinor: payment.sumMinor,
    })),
    ...(base.client === undefined && phone !== undefined ? { client: { phone } } : {}),
  };
}

function isPrepaymentReceipt(receipt: FiscalReceiptRow | undefined): boolean {
  if (!receipt) return false;
  const draft = draftFromJson(receipt.draft);
  return !(draft instanceof Error) && draft.items.some((item) => PREPAYMENT_METHODS.has(item.paymentMethod));
}

async function findOriginPayment(deps: Deps, shopId: string, invId: bigint) {
  return deps.db
    .selectFrom('payments')
    .select(['id', 'amount_minor', 'currency', 'email', 'op_key', 'is_without_free_sale'])
    .where('shop_id', '=', shopId)
    .where('inv_id', '=', invId)
    .where('is_test', '=', false)
    .where('status', '=', 'paid')
    .executeTakeFirst();
}

async function refundedMinorOf(deps: Deps, paymentId: string): Promise<bigint> {
  const row = await deps.db
    .selectFrom('refunds')
    .select(sql<string | null>`sum(amount_minor)`.as('total'))
    .where('payment_id', '=', paymentId)
    .where('status', '<>', 'canceled')
    .executeTakeFirst();
  return row?.total ? BigInt(row.total) : 0n;
}

async function findReceiptBySource(deps: Deps, sourceKey: string): Promise<FiscalReceiptRow | undefined> {
  return withFiscalTables(deps.db)
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('source_key', '=', sourceKey)
    .executeTakeFirst();
}

/** Receipt/Attach: see the header. */
export async function attachSecondReceipt(deps: Deps, body: unknown): Promise<AttachAnswer> {
  const signed = await readSignedRequest(deps, body);
  if ('problem' in signed) return signed.problem;
  const { request, shop } = signed;
  const parsed = parseSecondReceipt(request.payloadText);
  if (!parsed.ok) return refusal(parsed.problems.map((problem) => problem.detail.en).join(' '));
  const second = parsed.secondReceipt;
  const payment = await findOriginPayment(deps, shop.id, second.originId);
  if (!payment) return refusal(`No paid operation with InvId ${second.originId}.`);
  const settings = await findFiscalSettingsRow(deps.db, shop.id);
  if (!settings || settings.provider === 'none')
    return refusal('The shop does not fiscalise through Kopek: switch fiscalisation on first.');
  const existing = await findReceiptBySource(deps, `payment:${payment.id}:second`);
  if (existing) {
    if (existing.second_receipt_id === second.id)
      return { resultCode: ROBOFISCAL_RESULT_CODE.ok, description: 'ok', opKey: payment.op_key ?? undefined };
    return refusal('The operation already has its second receipt: at most two receipts per operation.');
  }
  if (!isPrepaymentReceipt(await findReceiptBySource(deps, `payment:${payment.id}:sell`)))
    return refusal('The operation was not fiscalised as a prepayment, so it needs no final receipt.');
  const offsetMinor = second.payments
    .filter((entry) => entry.type === OFFSET_OF_ADVANCE)
    .reduce((total, entry) => total + entry.sumMinor, 0n);
  if (offsetMinor > payment.amount_minor - (await refundedMinorOf(deps, payment.id)))
    return refusal('The offset of the advance (payment type 2) is more than was paid and not refunded.');
  return registerSecondReceipt(deps, shop.id, payment, second);
}

/** The merchant's receipt numbers (final and deferred receipts) are unique within its shop. */
async function isMerchantReceiptIdTaken(deps: Deps, shopId: string, id: bigint): Promise<boolean> {
  const taken = await withFiscalTables(deps.db)
    .selectFrom('fiscal_receipts')
    .select('id')
    .where('shop_id', '=', shopId)
    .where('second_receipt_id', '=', id)
    .executeTakeFirst();
  return taken !== undefined;
}

async function registerSecondReceipt(
  deps: Deps,
  shopId: string,
  payment: { id: string; email: string | null; op_key: string | null },
  second: SecondReceipt,
): Promise<AttachAnswer> {
  if (await isMerchantReceiptIdTaken(deps, shopId, second.id))
    return refusal(`The id ${second.id} is already used by another receipt.`);
  await deps.db.transaction().execute((trx) =>
    enqueueFiscalReceipt(trx, deps.clock, {
      kind: 'sell',
      paymentId: payment.id,
      secondReceiptId: second.id,
      receipt: secondReceiptDraft(second, payment.email),
    }),
  );
  return { resultCode: ROBOFISCAL_RESULT_CODE.ok, description: 'ok', opKey: payment.op_key ?? undefined };
}

/**
 * Receipt/Register: the first receipt of a payment made with IsWithoutFreeSale=true, which the merchant
 * registers later (Kopek registered none). Robokassa names this method but does not publish its format
 * (robokassa-protocol.md, open question 7), so Kopek takes Receipt/Attach's envelope and payload (`id`:
 * the merchant's number for this receipt, `originId`: the payment's InvId), with items of any payment
 * method; `total` must be the payment's amount, paid by the buyer (no offset of an advance: type 2).
 * It becomes the payment's `sell` receipt: refunds and a final receipt follow it as they follow any
 * first receipt, and Receipt/Status answers by its `id`. The same `id` again answers the first.
 */
export async function registerDeferredReceipt(deps: Deps, body: unknown): Promise<AttachAnswer> {
  const signed = await readSignedRequest(deps, body);
  if ('problem' in signed) return signed.problem;
  const parsed = parseSecondReceipt(signed.request.payloadText, 'deferred');
  if (!parsed.ok) return refusal(parsed.problems.map((problem) => problem.detail.en).join(' '));
  const receipt = parsed.secondReceipt;
  const payment = await findOriginPayment(deps, signed.shop.id, receipt.originId);
  if (!payment) return refusal(`No paid operation with InvId ${receipt.originId}.`);
  const settings = await findFiscalSettingsRow(deps.db, signed.shop.id);
  if (!settings || settings.provider === 'none')
    return refusal('The shop does not fiscalise through Kopek: switch fiscalisation on first.');
  const existing = await findReceiptBySource(deps, `payment:${payment.id}:sell`);
  if (existing) {
    if (existing.second_receipt_id === receipt.id)
      return { resultCode: ROBOFISCAL_RESULT_CODE.ok, description: 'ok', opKey: payment.op_key ?? undefined };
    return refusal(
      'The operation already has its receipt: only a payment made with IsWithoutFreeSale=true waits for one.',
    );
  }
  if (!payment.is_without_free_sale)
    return refusal(
      'The operation was paid without IsWithoutFreeSale=true: Kopek registers its receipt itself.',
    );
  if (receipt.totalMinor !== payment.amount_minor)
    return refusal(
      `The total must be the operation's amount, ${formatMinor(payment.amount_minor, payment.currency)}.`,
    );
  if (receipt.payments.some((entry) => entry.type === OFFSET_OF_ADVANCE))
    return refusal(
      'A first receipt is paid by the buyer: payment type 2 (offset of an advance) is for a final receipt.',
    );
  if (await isMerchantReceiptIdTaken(deps, signed.shop.id, receipt.id))
    return refusal(`The id ${receipt.id} is already used by another receipt.`);
  await deps.db.transaction().execute((trx) =>
    enqueueFiscalReceipt(trx, deps.clock, {
      kind: 'sell',
      paymentId: payment.id,
      deferredReceiptId: receipt.id,
      receipt: secondReceiptDraft(receipt, payment.email),
    }),
  );
  return { resultCode: ROBOFISCAL_RESULT_CODE.ok, description: 'ok', opKey: payment.op_key ?? undefined };
}

const STATUS_CODES: Record<FiscalReceiptStatus, RoboFiscalResultCode> = {
  pending: ROBOFISCAL_RESULT_CODE.waiting,
  wait: ROBOFISCAL_RESULT_CODE.waiting,
  done: ROBOFISCAL_RESULT_CODE.registered,
  fail: ROBOFISCAL_RESULT_CODE.error,
};

function toStatusAnswer(receipt: FiscalReceiptRow): ReceiptStatusAnswer {
  const isDone = receipt.status === 'done';
  return {
    code: STATUS_CODES[receipt.status],
    description: receipt.status === 'fail' ? (receipt.error ?? 'fail') : receipt.status,
    ...(isDone
      ? {
          fnNumber: receipt.fn_number ?? undefined,
          fiscalDocumentNumber: receipt.fiscal_document_number?.toString(),
          fiscalDocumentAttribute: receipt.fiscal_document_attribute?.toString(),
          fiscalDate: receipt.receipt_datetime ?? undefined,
          fiscalType: receipt.kind,
        }
      : {}),
  };
}

/** The second receipt with this id, or the first receipt of the live payment with this InvId. */
async function findReceiptForStatus(deps: Deps, shopId: string, id: bigint) {
  const tables = withFiscalTables(deps.db);
  const second = await tables
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('shop_id', '=', shopId)
    .where('second_receipt_id', '=', id)
    .executeTakeFirst();
  if (second) return second;
  return tables
    .selectFrom('fiscal_receipts')
    .innerJoin('payments', 'payments.id', 'fiscal_receipts.payment_id')
    .selectAll('fiscal_receipts')
    .where('payments.shop_id', '=', shopId)
    .where('payments.inv_id', '=', id)
    .where('payments.is_test', '=', false)
    .where('fiscal_receipts.source_key', '=', sql<string>`'payment:' || payments.id || ':sell'`)
    .executeTakeFirst();
}

/** Receipt/Status: see the header. */
export async function readSecondReceiptStatus(deps: Deps, body: unknown): Promise<ReceiptStatusAnswer> {
  const signed = await readSignedRequest(deps, body);
  if ('problem' in signed)
    return { code: signed.problem.resultCode, description: signed.problem.description };
  const payload = parseReceiptStatusPayload(signed.request.payloadText);
  if (!payload.ok)
    return {
      code: ROBOFISCAL_RESULT_CODE.error,
      description: payload.problems.map((problem) => problem.detail.en).join(' '),
    };
  const receipt = await findReceiptForStatus(deps, signed.shop.id, payload.id);
  if (!receipt)
    return { code: ROBOFISCAL_RESULT_CODE.error, description: `No receipt for id ${payload.id}.` };
  return toStatusAnswer(receipt);
}
