/**
 * Robokassa's hold endpoints (reference §6), at the top level like the payment request: authenticated by
 * the signature alone (Password #1, or test Password #1 for a test hold).
 *
 *   POST /Merchant/Payment/Confirm  MerchantLogin, InvoiceID, OutSum[, Receipt], SignatureValue
 *   POST /Merchant/Payment/Cancel   MerchantLogin, InvoiceID[, OutSum], SignatureValue
 *
 * Every answer is HTTP 200 with the JSON string the official SDK reads: `"success: true"` when the
 * capture or release is done, or recorded and waiting for the acquirer's late answer (a reconcile job
 * finishes it; OpStateExt shows the outcome), `"success: false"` otherwise: a malformed request, an
 * unknown shop or InvoiceID, a wrong signature, a hold already confirmed or cancelled (Confirm is allowed
 * once), an amount above the held one, a hold past its release time (Confirm), or an acquirer refusal.
 * The reason is logged, never told: the answer format has no room for it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { credentialFailureLimiter } from '../../platform/http/credential-failures.js';
import type { CardAcquirer } from '../methods/index.js';
import {
  HOLD_ACTION_ANSWER,
  parseHoldActionRequest,
  verifyHoldActionSignature,
  type HoldAction,
  type HoldActionRequest,
} from '../protocol/index.js';
import { findShopByMerchantLogin, readShopPasswords } from '../shops/index.js';
import {
  cancelHold,
  confirmHold,
  HoldNeedsOperatorError,
  type HoldActionOutcome,
  type HoldTarget,
} from './hold.service.js';

type Answer = { readonly isSuccess: true } | { readonly isSuccess: false; readonly reason: string };

/** The shop and whether the request was signed with its live or its test Password #1. */
async function authenticate(deps: Deps, request: HoldActionRequest): Promise<HoldTarget | string> {
  const shop = await findShopByMerchantLogin(deps.db, request.merchantLogin);
  if (!shop) return 'shop_not_found';
  const passwords = readShopPasswords(deps.config.masterKey, shop);
  const isSignedWith = (password: string) =>
    verifyHoldActionSignature(request, shop.merchant_login, password, shop.hash_algorithm);
  const isLive = isSignedWith(passwords.password1);
  if (!isLive && !isSignedWith(passwords.testPassword1)) return 'bad_signature';
  return { shopId: shop.id, invId: request.invoiceId, isTest: !isLive };
}

function toAnswer(outcome: HoldActionOutcome): Answer {
  return outcome.kind === 'refused' ? { isSuccess: false, reason: outcome.reason } : { isSuccess: true };
}

export async function answerHoldAction(
  deps: Deps,
  acquirer: CardAcquirer,
  action: HoldAction,
  fields: Readonly<Record<string, unknown>>,
): Promise<Answer> {
  const parsed = parseHoldActionRequest(fields, action);
  if (!parsed.ok) return { isSuccess: false, reason: parsed.problem };
  const target = await authenticate(deps, parsed.request);
  if (typeof target === 'string') return { isSuccess: false, reason: target };
  const { outSumMinor, outSumText, receipt } = parsed.request;
  if (action === 'cancel') return toAnswer(await cancelHold(deps, acquirer, target));
  if (outSumMinor === undefined || outSumText === undefined)
    return { isSuccess: false, reason: 'out_sum_invalid' };
  return toAnswer(
    await confirmHold(deps, acquirer, target, { amountMinor: outSumMinor, outSumText, receipt }),
  );
}

/** Form fields, with the query string's as a fallback (Robokassa's servers read both). */
function readFields(request: FastifyRequest): Record<string, unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const body = request.body;
  return {
    ...query,
    ...(body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {}),
  };
}

export function registerHoldRoutes(app: FastifyInstance, deps: Deps, acquirer: CardAcquirer): void {
  const failures = credentialFailureLimiter(deps);
  const handle = (action: HoldAction) => async (request: FastifyRequest, reply: FastifyReply) => {
    let answer: Answer;
    // Wrong signatures count against the address; past the limit it hears "success: false" with
    // Retry-After, before any lookup.
    const limited = failures.check(request.ip);
    try {
      answer = limited.isRefused
        ? { isSuccess: false, reason: 'too_many_failures' }
        : await answerHoldAction(deps, acquirer, action, readFields(request));
      if (!answer.isSuccess && answer.reason === 'bad_signature') {
        const verdict = await failures.recordFailure(request.ip);
        if (verdict.isRefused) reply.header('retry-after', String(verdict.retryAfterSeconds));
      }
      if (limited.isRefused) reply.header('retry-after', String(limited.retryAfterSeconds));
    } catch (error) {
      if (!(error instanceof HoldNeedsOperatorError)) throw error;
      request.log.error({ err: error }, 'hold: the acquirer contradicts the books; an operator must check');
      answer = { isSuccess: false, reason: 'needs_operator' };
    }
    if (!answer.isSuccess) request.log.info({ action, refusal: answer.reason }, 'hold request refused');
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send(answer.isSuccess ? HOLD_ACTION_ANSWER.success : HOLD_ACTION_ANSWER.failure);
  };
  for (const path of ['/Merchant/Payment/Confirm', '/merchant/payment/confirm'])
    app.post(path, handle('confirm'));
  for (const path of ['/Merchant/Payment/Cancel', '/merchant/payment/cancel'])
    app.post(path, handle('cancel'));
}
