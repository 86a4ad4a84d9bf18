/**
 * Starting a payment from Robokassa's payment request (/Merchant/Index.aspx): find the shop, check it may
 * take this payment, verify the signature against every documented variant, then create the payment or
 * reuse the unpaid one with the same InvId. Answers Robokassa's page error codes for everything refused.
 */
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { credentialFailureLimiter, type FailureVerdict } from '../../platform/http/credential-failures.js';
import { createId } from '../../platform/ids.js';
import type { Database, PaymentRow, ShopsTable } from '../../schema.js';
import {
  maskPasswordInBaseString,
  parseReceipt,
  protocolError,
  receiptToStoredJson,
  isWindows1251,
  verifyInitSignature,
  type InitRequest,
  type ProtocolError,
  type Receipt,
} from '../protocol/index.js';
import { findShopByMerchantLogin, readShopPasswords } from '../shops/index.js';
import { resolveCofToken } from './cof.service.js';
import { recordPaymentEvent } from './payment.events.js';

/** Shown on the error-29 page in test mode only: what Kopek expected, with the password masked. */
export interface SignatureDebug {
  readonly algorithm: string;
  readonly received: string;
  readonly candidates: readonly { label: string; baseString: string }[];
}

export type StartOutcome =
  | { kind: 'started'; paymentId: string }
  | { kind: 'refused'; error: ProtocolError; debug?: SignatureDebug; retryAfterSeconds?: number };

/** Too many wrong signatures from the buyer's (or the site's) address: refused before any check. */
function refusedForFailures(verdict: FailureVerdict & { isRefused: true }): StartOutcome {
  const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
  return {
    kind: 'refused',
    error: protocolError(41, 'SignatureValue', {
      ru: `Слишком много запросов с неверной подписью с этого адреса. Повторите через ${minutes} мин.`,
      en: `Too many requests with a wrong signature from this address. Try again in ${minutes} min.`,
    }),
    retryAfterSeconds: verdict.retryAfterSeconds,
  };
}

/** Statuses in which a buyer is mid-payment: a repeated request must not disturb them. */
const IN_FLIGHT = new Set(['processing', 'awaiting_3ds']);

function checkShopMayTakePayment(
  deps: Deps,
  shop: ShopsTable | undefined,
  request: InitRequest,
): ProtocolError | undefined {
  if (!shop) return protocolError(26, 'MerchantLogin');
  // A sandbox acquirer approves published test cards: in production it may only take test payments,
  // or a shop would ship goods for a "paid" order signed with its live password.
  if (!request.isTest && deps.config.isProduction && deps.providers.cardAcquirer.isSandbox) {
    return protocolError(41, 'IsTest', {
      ru: 'На этой установке нет настоящего эквайера: принимаются только тестовые платежи (IsTest=1).',
      en: 'This installation has no real acquirer: only test payments (IsTest=1) are taken.',
    });
  }
  // A shop in test mode, in moderation or rejected takes test payments only: live ones need activation.
  if (!request.isTest && shop.status !== 'active') return protocolError(25, 'MerchantLogin');
  return undefined;
}

function verifySignature(deps: Deps, shop: ShopsTable, request: InitRequest): StartOutcome | undefined {
  const passwords = readShopPasswords(deps.config.masterKey, shop);
  const password1 = request.isTest ? passwords.testPassword1 : passwords.password1;
  const verification = verifyInitSignature(
    request.signatureParams,
    password1,
    shop.hash_algorithm,
    request.signatureValue,
    isWindows1251(request.encoding) ? 'windows-1251' : 'utf-8',
  );
  if (verification.isValid) return undefined;
  return {
    kind: 'refused',
    error: protocolError(29, 'SignatureValue'),
    ...(request.isTest
      ? {
          debug: {
            algorithm: shop.hash_algorithm,
            received: request.signatureValue,
            candidates: verification.candidates.map((candidate) => ({
              label: candidate.label,
              baseString: maskPasswordInBaseString(candidate.baseString, password1),
            })),
          },
        }
      : {}),
  };
}

/** The request with what the start resolved from the database: the CoF Token's operation (cof.service.ts). */
type StartRequest = InitRequest & { readonly cofPaymentId?: string | undefined };

function paymentValues(request: StartRequest, now: Date) {
  return {
    status: 'created' as const,
    out_sum_text: request.outSumText,
    amount_minor: request.outSumMinor,
    currency: 'RUB' as const,
    description: request.description,
    email: request.email ?? null,
    culture: request.culture ?? null,
    inc_curr_label: request.incCurrLabel ?? null,
    shp: JSON.stringify(request.shp),
    receipt: request.receipt ?? null,
    receipt_parsed: request.receiptParsed ? receiptToStoredJson(request.receiptParsed) : null,
    is_without_free_sale: request.isWithoutFreeSale,
    user_ip: request.userIp ?? null,
    out_sum_currency: request.outSumCurrency ?? null,
    result_url2: request.resultUrl2 ?? null,
    success_url2: request.successUrl2 ?? null,
    success_url2_method: request.successUrl2Method ?? null,
    fail_url2: request.failUrl2 ?? null,
    fail_url2_method: request.failUrl2Method ?? null,
    expires_at: request.expirationDate ?? null,
    // StepByStep=true (its only value, checked by the parser): authorize now, capture on Confirm.
    is_step_by_step: request.stepByStep !== undefined,
    // Recurring=true: once paid, the card is saved for the shop's later charges (/Merchant/Recurring).
    is_recurring: request.isRecurring,
    cof_payment_id: request.cofPaymentId ?? null,
    updated_at: now,
  };
}

async function findReusablePayment(
  trx: Transaction<Database>,
  shopId: string,
  invId: bigint,
  isTest: boolean,
): Promise<PaymentRow | undefined> {
  return trx
    .selectFrom('payments')
    .selectAll()
    .where('shop_id', '=', shopId)
    .where('inv_id', '=', invId)
    .where('is_test', '=', isTest)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

async function insertPayment(
  trx: Transaction<Database>,
  deps: Deps,
  shop: ShopsTable,
  request: StartRequest,
  ip: string,
): Promise<string> {
  const now = deps.clock.now();
  let invId = request.invId;
  if (invId === null) {
    const next = await sql<{ id: bigint }>`select nextval('assigned_inv_id_seq') as id`.execute(trx);
    invId = next.rows[0]?.id ?? null;
    if (invId === null) throw new Error('assigned_inv_id_seq returned nothing');
  }
  const paymentId = createId('pay');
  await trx
    .insertInto('payments')
    .values({
      id: paymentId,
      shop_id: shop.id,
      account_id: shop.account_id,
      inv_id: invId,
      is_inv_id_assigned: request.invId === null,
      is_test: request.isTest,
      created_at: now,
      ...paymentValues(request, now),
    })
    .execute();
  await recordPaymentEvent(trx, deps.clock, paymentId, 'created', {
    ip,
    isTest: request.isTest,
    invId: String(invId),
  });
  return paymentId;
}

/** A card attempt still open (even on an expired payment) means money may be moving: the payment must not change. */
async function hasOpenAttempt(trx: Transaction<Database>, paymentId: string): Promise<boolean> {
  const open = await trx
    .selectFrom('card_attempts')
    .select('id')
    .where('payment_id', '=', paymentId)
    .where('status', 'in', ['processing', 'challenge', 'unknown'])
    .executeTakeFirst();
  return open !== undefined;
}

/** Creates the payment, or reuses the unpaid one with the same InvId (a buyer coming back to pay). */
async function createOrReusePayment(
  trx: Transaction<Database>,
  deps: Deps,
  shop: ShopsTable,
  request: StartRequest,
  ip: string,
): Promise<StartOutcome> {
  if (request.invId === null)
    return { kind: 'started', paymentId: await insertPayment(trx, deps, shop, request, ip) };
  const existing = await findReusablePayment(trx, shop.id, request.invId, request.isTest);
  // A hold took the card's money, and a released one has its own ledger history: neither starts again.
  const isFinished = ['paid', 'held', 'released'].includes(existing?.status ?? '');
  if (!existing || (isFinished && request.isTest)) {
    return { kind: 'started', paymentId: await insertPayment(trx, deps, shop, request, ip) };
  }
  if (isFinished) return { kind: 'refused', error: protocolError(40, 'InvId') };
  // A recurring charge's InvId is the shop's own (recurring.service.ts): no buyer pays it here.
  if (existing.previous_payment_id !== null) {
    return {
      kind: 'refused',
      error: protocolError(30, 'InvId', {
        ru: 'Этот InvId занят повторным списанием магазина. Передайте новый номер.',
        en: 'This InvId is taken by a recurring charge of the shop. Send a new number.',
      }),
    };
  }
  if (IN_FLIGHT.has(existing.status) || (await hasOpenAttempt(trx, existing.id))) {
    return { kind: 'started', paymentId: existing.id };
  }
  await trx
    .updateTable('payments')
    .set(paymentValues(request, deps.clock.now()))
    .where('id', '=', existing.id)
    .execute();
  await recordPaymentEvent(trx, deps.clock, existing.id, 'reinitiated', {
    ip,
    previousStatus: existing.status,
  });
  return { kind: 'started', paymentId: existing.id };
}

/**
 * Features that arrive with later issues are refused plainly rather than half-done: a hold taken as a
 * normal charge, or USD charged as roubles, would move the wrong money.
 */
function refuseUnsupportedFeature(request: InitRequest): ProtocolError | undefined {
  // A hold is one card payment captured later: it cannot start a recurring chain nor pay by a saved card
  // (Robokassa's SDK refuses both combinations too).
  if (request.stepByStep !== undefined && (request.isRecurring || request.token !== undefined)) {
    return protocolError(65, 'StepByStep', {
      ru: 'StepByStep нельзя передавать вместе с Recurring или Token.',
      en: 'StepByStep cannot be combined with Recurring or Token.',
    });
  }
  // A saved-card payment cannot start a chain of its own (the official SDK refuses Token with Recurring).
  if (request.isRecurring && request.token !== undefined) {
    return protocolError(35, 'Token', {
      ru: 'Token нельзя передавать вместе с Recurring=true.',
      en: 'Token cannot be combined with Recurring=true.',
    });
  }
  if (request.outSumCurrency !== undefined) {
    return protocolError(30, 'OutSumCurrency', {
      ru: 'Пересчёт суммы из другой валюты пока недоступен: передайте OutSum в рублях без OutSumCurrency.',
      en: 'Converting the sum from another currency is not available yet: send OutSum in roubles without OutSumCurrency.',
    });
  }
  return undefined;
}

/**
 * The Receipt by the 54-FZ rules, items adding up to OutSum (protocol.parseReceipt): an invalid one is
 * refused with code 30 and a message naming the item and the field, whether or not the shop fiscalises,
 * so a merchant learns of a bad receipt from a test payment rather than from a failed receipt later.
 */
function readSignedReceipt(
  request: InitRequest,
): { ok: true; receiptParsed: Receipt | undefined } | { ok: false; error: ProtocolError } {
  if (request.receipt === undefined) return { ok: true, receiptParsed: undefined };
  const parsed = parseReceipt(request.receipt, request.outSumMinor);
  return parsed.ok ? { ok: true, receiptParsed: parsed.receipt } : { ok: false, error: parsed.error };
}

/**
 * Recurring=true and Token (a saved-card payment) need the shop's permission (34); a Token must be the
 * OpKey of this shop's card operation in the same mode (35).
 */
async function checkRecurringFeatures(
  deps: Deps,
  shop: ShopsTable,
  request: InitRequest,
): Promise<{ ok: true; cofPaymentId?: string } | { ok: false; error: ProtocolError }> {
  if (!request.isRecurring && request.token === undefined) return { ok: true };
  if (!shop.is_recurring_allowed) {
    return { ok: false, error: protocolError(34, request.isRecurring ? 'Recurring' : 'Token') };
  }
  if (request.token === undefined) return { ok: true };
  const resolved = await resolveCofToken(deps.db, {
    shopId: shop.id,
    token: request.token,
    isTest: request.isTest,
  });
  return resolved.ok ? { ok: true, cofPaymentId: resolved.card.paymentId } : resolved;
}

export async function startPayment(deps: Deps, request: InitRequest, ip: string): Promise<StartOutcome> {
  const failures = credentialFailureLimiter(deps);
  const limited = failures.check(ip);
  if (limited.isRefused) return refusedForFailures(limited);
  const unsupported = refuseUnsupportedFeature(request);
  if (unsupported) return { kind: 'refused', error: unsupported };
  const shop = await findShopByMerchantLogin(deps.db, request.merchantLogin);
  const shopProblem = checkShopMayTakePayment(deps, shop, request);
  if (shopProblem || !shop) return { kind: 'refused', error: shopProblem ?? protocolError(26) };
  const signatureProblem = verifySignature(deps, shop, request);
  if (signatureProblem) {
    deps.logger.info({ shopId: shop.id, ip }, 'payment start: wrong signature');
    const verdict = await failures.recordFailure(ip);
    return verdict.isRefused ? refusedForFailures(verdict) : signatureProblem;
  }
  if (request.expirationDate && request.expirationDate.getTime() <= deps.clock.now().getTime()) {
    return { kind: 'refused', error: protocolError(33, 'ExpirationDate') };
  }
  const receipt = readSignedReceipt(request);
  if (!receipt.ok) return { kind: 'refused', error: receipt.error };
  request = { ...request, receiptParsed: receipt.receiptParsed };
  // Holds are by agreement (reference §6): the operator's switch, else error 64, as Robokassa answers.
  if (request.stepByStep !== undefined && !shop.is_hold_allowed) {
    return { kind: 'refused', error: protocolError(64, 'StepByStep') };
  }
  const recurring = await checkRecurringFeatures(deps, shop, request);
  if (!recurring.ok) return { kind: 'refused', error: recurring.error };
  const { cofPaymentId } = recurring;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.db
        .transaction()
        .execute((trx) => createOrReusePayment(trx, deps, shop, { ...request, cofPaymentId }, ip));
    } catch (error) {
      // Two first requests for one new InvId at once: the loser retries and then reuses the winner's payment.
      if (attempt < 3 && isUniqueViolation(error, 'payments_live_inv_id_key')) continue;
      throw error;
    }
  }
}
