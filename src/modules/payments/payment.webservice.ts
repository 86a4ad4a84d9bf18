/**
 * Robokassa's XML web service (/Merchant/WebService/Service.asmx/<Method>, GET or POST form): operation
 * state, payment methods, rates and sums. Answers always HTTP 200 with a Result code, as Robokassa does.
 *
 * Decisions where Robokassa is silent (reference §16):
 * - OpStateExt accepts Password #2 for live payments and test Password #2 for test payments.
 * - State codes: created, processing, awaiting 3-D Secure or declined → 5 (money not received yet);
 *   expired → 10; paid but the ResultURL not yet acknowledged → 50; paid and acknowledged → 100;
 *   a hold (StepByStep) not yet captured → 20; a hold released without a capture → 10. A captured hold
 *   is a paid payment (50 / 100) whose IncSum is the captured amount.
 * - Who pays the fee is the shop's choice (shops.is_buyer_fee). GetRates answers what the buyer pays
 *   for OutSum with each method: OutSum when the shop pays the fee; the gross of tariffs/buyer-fee.ts
 *   (OutSum plus the fee of that gross under the method group's tariff) when the buyer pays it.
 *   CalcOutSumm answers what the shop receives when the buyer pays IncSum: IncSum minus the fee of
 *   IncSum either way. When the buyer pays the fee that is the largest OutSum whose gross IncSum covers,
 *   so CalcOutSumm(GetRates(OutSum)) = OutSum; when the shop pays it, OutSum = IncSum less the fee.
 *   Bank card when IncCurrLabel is absent.
 * - OpStateExt: IncSum is what the buyer was charged (OutSum plus the buyer's fee, if any), OutSum is
 *   what the shop receives (IncSum less the whole fee): the merchant's OutSum when the buyer paid the fee.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { credentialFailureLimiter } from '../../platform/http/credential-failures.js';
import { isLanguage, localize, type Language } from '../../platform/i18n.js';
import { formatMinor, parseDecimalToMinor } from '../../platform/money.js';
import type { PaymentRow, ShopsTable } from '../../schema.js';
import { findFeeDiscountPercent } from '../accounts/index.js';
import {
  findMethodByLabelOrAlias,
  listEnabledMethods,
  listMethodGroups,
  type PaymentMethodGroup,
} from '../methods/index.js';
import { isSubjectNotified } from '../notifications/index.js';
import {
  buildCalcOutSumResponse,
  buildCurrenciesResponse,
  buildOpStateResponse,
  buildPaymentMethodsResponse,
  buildRatesResponse,
  buildResultOnlyResponse,
  verifyOpStateSignature,
  XML_RESULT_CODE,
  type OperationStateCode,
  type XmlResponseRoot,
} from '../protocol/index.js';
import { findShopByMerchantLogin, readShopPasswords } from '../shops/index.js';
import { computeBuyerCharge, findTariff, netOfGross } from '../tariffs/index.js';
import { chargedAmountMinor } from './buyer-fee.js';
import { BANK_CARD_METHOD } from './payment-completion.js';

type Fields = Record<string, string | undefined>;

/** The largest PostgreSQL bigint, the column type of InvId. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

const DESCRIPTIONS = {
  badSignature: { ru: 'Неверная подпись запроса', en: 'Wrong request signature' },
  shopNotFound: { ru: 'Магазин не найден', en: 'Shop not found' },
  operationNotFound: { ru: 'Операция с таким InvoiceID не найдена', en: 'No operation with this InvoiceID' },
  badSum: { ru: 'Неверная сумма', en: 'Invalid sum' },
  methodNotFound: { ru: 'Способ оплаты не найден', en: 'Payment method not found' },
  tooManyFailures: {
    ru: 'Слишком много запросов с неверной подписью с этого адреса. Повторите через {seconds} с',
    en: 'Too many requests with a wrong signature from this address. Retry in {seconds} s',
  },
};

/** A web-service answer, with the pause asked of a client whose address is refused for now. */
interface XmlAnswer {
  readonly xml: string;
  readonly retryAfterSeconds?: number;
}

function tooManyFailures(root: XmlResponseRoot, language: Language, retryAfterSeconds: number): XmlAnswer {
  const text = localize(DESCRIPTIONS.tooManyFailures, language, { seconds: retryAfterSeconds });
  return {
    xml: buildResultOnlyResponse(root, XML_RESULT_CODE.internalError, text),
    retryAfterSeconds,
  };
}

/** Parameter names are matched ignoring case, as Robokassa does. */
function readFields(request: FastifyRequest): Fields {
  const source = (request.method === 'GET' ? request.query : request.body) as
    Record<string, unknown> | undefined;
  const fields: Fields = {};
  for (const [name, value] of Object.entries(source ?? {})) {
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string') fields[name.toLowerCase()] = text;
  }
  return fields;
}

function languageOf(fields: Fields): Language {
  const requested = fields.language?.toLowerCase();
  return isLanguage(requested) ? requested : 'ru';
}

function sendXml(reply: FastifyReply, xml: string): FastifyReply {
  return reply.code(200).type('text/xml; charset=utf-8').send(xml);
}

function stateCodeOf(payment: PaymentRow, isNotified: boolean): OperationStateCode {
  if (payment.status === 'paid') return isNotified ? 100 : 50;
  // A hold (StepByStep) until it is captured, even while the capture is being asked of the acquirer.
  if (payment.status === 'held') return 20;
  if (payment.status === 'expired' || payment.status === 'released') return 10;
  return 5;
}

/** Six decimals, as Robokassa writes sums in its answers. */
function sixDecimals(amountMinor: bigint, currency: PaymentRow['currency']): string {
  return `${formatMinor(amountMinor, currency)}0000`;
}

async function findPaymentForState(deps: Deps, shop: ShopsTable, invoiceId: bigint, isTest: boolean) {
  return deps.db
    .selectFrom('payments')
    .selectAll()
    .where('shop_id', '=', shop.id)
    .where('inv_id', '=', invoiceId)
    .where('is_test', '=', isTest)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * OpStateExt / OpState, behind the limit on wrong signatures: an address over it is answered Result 1000
 * (a temporary failure clients retry) with Retry-After, before the shop is even looked up.
 */
async function answerOpStateLimited(deps: Deps, fields: Fields, ip: string): Promise<string | XmlAnswer> {
  const root: XmlResponseRoot = 'OperationStateResponse';
  const failures = credentialFailureLimiter(deps);
  const limited = failures.check(ip);
  if (limited.isRefused) return tooManyFailures(root, languageOf(fields), limited.retryAfterSeconds);
  const answer = await answerOpState(deps, fields);
  if (answer.code !== XML_RESULT_CODE.badSignature) return answer.xml;
  const verdict = await failures.recordFailure(ip);
  return verdict.isRefused
    ? tooManyFailures(root, languageOf(fields), verdict.retryAfterSeconds)
    : answer.xml;
}

async function answerOpState(deps: Deps, fields: Fields): Promise<{ code: number; xml: string }> {
  const root: XmlResponseRoot = 'OperationStateResponse';
  const language = languageOf(fields);
  const answer = (code: number, xml: string) => ({ code, xml });
  const shop = await findShopByMerchantLogin(deps.db, fields.merchantlogin ?? '');
  if (!shop)
    return answer(
      XML_RESULT_CODE.shopNotFound,
      buildResultOnlyResponse(
        root,
        XML_RESULT_CODE.shopNotFound,
        localize(DESCRIPTIONS.shopNotFound, language),
      ),
    );
  const invoiceText = fields.invoiceid ?? '';
  const passwords = readShopPasswords(deps.config.masterKey, shop);
  const signature = fields.signature ?? '';
  const signedWith = (password: string) =>
    verifyOpStateSignature(shop.hash_algorithm, shop.merchant_login, invoiceText, password, signature) ||
    verifyOpStateSignature(shop.hash_algorithm, fields.merchantlogin ?? '', invoiceText, password, signature);
  const isLive = signedWith(passwords.password2);
  if (!isLive && !signedWith(passwords.testPassword2)) {
    return answer(
      XML_RESULT_CODE.badSignature,
      buildResultOnlyResponse(
        root,
        XML_RESULT_CODE.badSignature,
        localize(DESCRIPTIONS.badSignature, language),
      ),
    );
  }
  // InvId is a PostgreSQL bigint: a larger number cannot be any payment's.
  const payment =
    /^\d{1,19}$/.test(invoiceText) && BigInt(invoiceText) <= MAX_BIGINT
      ? await findPaymentForState(deps, shop, BigInt(invoiceText), !isLive)
      : undefined;
  if (!payment)
    return answer(
      XML_RESULT_CODE.operationNotFound,
      buildResultOnlyResponse(
        root,
        XML_RESULT_CODE.operationNotFound,
        localize(DESCRIPTIONS.operationNotFound, language),
      ),
    );
  const isNotified = await isSubjectNotified(deps.db, payment.id, 'result_url');
  const method = findMethodByLabelOrAlias(payment.inc_curr_label ?? BANK_CARD_METHOD.incCurrLabel);
  return answer(
    XML_RESULT_CODE.ok,
    buildOpStateResponse({
      code: 0,
      stateCode: stateCodeOf(payment, isNotified),
      requestDate: deps.clock.now(),
      stateDate: payment.paid_at ?? payment.updated_at,
      incCurrLabel: payment.inc_curr_label ?? '',
      incSum: sixDecimals(chargedAmountMinor(payment), payment.currency),
      incAccount: payment.card_mask ?? '',
      paymentMethodCode: payment.payment_method ?? '',
      paymentMethodDescription: method ? localize(method.group.description, language) : '',
      outCurrLabel: payment.currency,
      outSum: sixDecimals(chargedAmountMinor(payment) - payment.fee_minor, payment.currency),
      opKey: payment.op_key ?? '',
      userFields: payment.shp,
    }),
  );
}

async function requireShop(deps: Deps, fields: Fields, root: XmlResponseRoot): Promise<ShopsTable | string> {
  const shop = await findShopByMerchantLogin(deps.db, fields.merchantlogin ?? '');
  return (
    shop ??
    buildResultOnlyResponse(
      root,
      XML_RESULT_CODE.shopNotFound,
      localize(DESCRIPTIONS.shopNotFound, languageOf(fields)),
    )
  );
}

async function answerCurrencies(deps: Deps, fields: Fields): Promise<string> {
  const shop = await requireShop(deps, fields, 'CurrenciesList');
  if (typeof shop === 'string') return shop;
  const language = languageOf(fields);
  return buildCurrenciesResponse(
    (await enabledGroups(deps, shop)).map((group) => ({
      code: group.code,
      description: localize(group.description, language),
      items: group.items.map((item) => ({
        label: item.label,
        alias: item.alias,
        name: localize(item.name, language),
        minValue: item.minValue === undefined ? undefined : formatMinor(item.minValue, 'RUB'),
        maxValue: item.maxValue === undefined ? undefined : formatMinor(item.maxValue, 'RUB'),
      })),
    })),
  );
}

/**
 * The catalogue's groups cut to the methods the shop takes (shop_payment_methods) whose provider is on
 * (provider_settings), empty groups left out.
 */
async function enabledGroups(deps: Deps, shop: ShopsTable): Promise<PaymentMethodGroup[]> {
  const offered = await listEnabledMethods(deps.db, shop.id, deps.providers.methodProviders);
  const enabled = new Set(offered.map(({ item }) => item.label));
  return listMethodGroups()
    .map((group) => ({ ...group, items: group.items.filter((item) => enabled.has(item.label)) }))
    .filter((group) => group.items.length > 0);
}

async function answerPaymentMethods(deps: Deps, fields: Fields): Promise<string> {
  const shop = await requireShop(deps, fields, 'PaymentMethodsList');
  if (typeof shop === 'string') return shop;
  const language = languageOf(fields);
  return buildPaymentMethodsResponse(
    (await enabledGroups(deps, shop)).map((group) => ({
      code: group.code,
      description: localize(group.description, language),
    })),
  );
}

async function answerRates(deps: Deps, fields: Fields): Promise<string> {
  const shop = await requireShop(deps, fields, 'RatesList');
  if (typeof shop === 'string') return shop;
  const language = languageOf(fields);
  const outSum = parseDecimalToMinor(fields.outsum ?? '', 'RUB');
  if (outSum === undefined || outSum <= 0n)
    return buildResultOnlyResponse(
      'RatesList',
      XML_RESULT_CODE.calculationError,
      localize(DESCRIPTIONS.badSum, language),
    );
  const wanted = fields.inccurrlabel ? findMethodByLabelOrAlias(fields.inccurrlabel) : undefined;
  if (fields.inccurrlabel && !wanted)
    return buildResultOnlyResponse(
      'RatesList',
      XML_RESULT_CODE.calculationError,
      localize(DESCRIPTIONS.methodNotFound, language),
    );
  const groups = [];
  for (const group of await enabledGroups(deps, shop)) {
    const items = group.items.filter((item) => !wanted || item.label === wanted.item.label);
    if (items.length === 0) continue;
    const incSum = await incSumFor(deps, shop, group.code, outSum);
    groups.push({
      code: group.code,
      description: localize(group.description, language),
      items: items.map((item) => ({
        label: item.label,
        name: localize(item.name, language),
        incSum: sixDecimals(incSum, 'RUB'),
      })),
    });
  }
  return buildRatesResponse(groups);
}

/** What the buyer pays for the shop's OutSum with a method of this group (see the header). */
async function incSumFor(deps: Deps, shop: ShopsTable, methodGroup: string, outSum: bigint): Promise<bigint> {
  if (!shop.is_buyer_fee) return outSum;
  const discountPercent = await findFeeDiscountPercent(deps.db, shop.account_id, deps.clock.now());
  const charge = computeBuyerCharge(
    await findTariff(deps.db, shop.id, methodGroup, deps.clock.now()),
    outSum,
    discountPercent,
  );
  // A 100% tariff cannot be passed on (buyer-fee.ts): the shop pays it and the buyer pays OutSum.
  return charge ? charge.grossMinor : outSum;
}

async function answerCalcOutSum(deps: Deps, fields: Fields): Promise<string> {
  const shop = await requireShop(deps, fields, 'CalcSummsResponseData');
  if (typeof shop === 'string') return shop;
  const language = languageOf(fields);
  const incSum = parseDecimalToMinor(fields.incsum ?? '', 'RUB');
  if (incSum === undefined || incSum <= 0n) {
    return buildResultOnlyResponse(
      'CalcSummsResponseData',
      XML_RESULT_CODE.calculationError,
      localize(DESCRIPTIONS.badSum, language),
    );
  }
  const method = findMethodByLabelOrAlias(fields.inccurrlabel ?? BANK_CARD_METHOD.incCurrLabel);
  if (!method) {
    return buildResultOnlyResponse(
      'CalcSummsResponseData',
      XML_RESULT_CODE.calculationError,
      localize(DESCRIPTIONS.methodNotFound, language),
    );
  }
  const discountPercent = await findFeeDiscountPercent(deps.db, shop.account_id, deps.clock.now());
  const tariff = await findTariff(deps.db, shop.id, method.group.code, deps.clock.now());
  return buildCalcOutSumResponse(sixDecimals(netOfGross(tariff, incSum, discountPercent), 'RUB'));
}

const METHODS: Record<string, (deps: Deps, fields: Fields, ip: string) => Promise<string | XmlAnswer>> = {
  opstateext: answerOpStateLimited,
  opstate: answerOpStateLimited,
  getcurrencies: answerCurrencies,
  getpaymentmethods: answerPaymentMethods,
  getrates: answerRates,
  calcoutsumm: answerCalcOutSum,
};

export function registerWebServiceRoutes(app: FastifyInstance, deps: Deps): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const name = (request.params as { method: string }).method.toLowerCase();
    // Own keys only: "constructor" or "__proto__" must be an unknown method, not Object.prototype's.
    const method = Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
    if (!method) return reply.code(404).type('text/plain; charset=utf-8').send('Unknown web service method');
    const answer = await method(deps, readFields(request), request.ip);
    if (typeof answer === 'string') return sendXml(reply, answer);
    if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
    return sendXml(reply, answer.xml);
  };
  for (const prefix of [
    '/Merchant/WebService/Service.asmx',
    '/merchant/webservice/service.asmx',
    '/WebService/Service.asmx',
  ]) {
    app.get(`${prefix}/:method`, handle);
    app.post(`${prefix}/:method`, handle);
  }
}
