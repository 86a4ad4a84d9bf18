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
 * - GetRates: the fee is the shop's, so the buyer pays exactly OutSum. CalcOutSumm: the shop receives
 *   IncSum minus the fee of its tariff for the method (bank card when IncCurrLabel is absent).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { isLanguage, localize, type Language } from '../../platform/i18n.js';
import { formatMinor, parseDecimalToMinor } from '../../platform/money.js';
import type { PaymentRow, ShopsTable } from '../../schema.js';
import { findFeeDiscountPercent } from '../accounts/index.js';
import { findMethodByLabelOrAlias, listMethodGroups, listPaymentMethods } from '../methods/index.js';
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
import { computeFee, findTariff } from '../tariffs/index.js';
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
};

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

async function answerOpState(deps: Deps, fields: Fields): Promise<string> {
  const root: XmlResponseRoot = 'OperationStateResponse';
  const language = languageOf(fields);
  const shop = await findShopByMerchantLogin(deps.db, fields.merchantlogin ?? '');
  if (!shop)
    return buildResultOnlyResponse(
      root,
      XML_RESULT_CODE.shopNotFound,
      localize(DESCRIPTIONS.shopNotFound, language),
    );
  const invoiceText = fields.invoiceid ?? '';
  const passwords = readShopPasswords(deps.config.masterKey, shop);
  const signature = fields.signature ?? '';
  const signedWith = (password: string) =>
    verifyOpStateSignature(shop.hash_algorithm, shop.merchant_login, invoiceText, password, signature) ||
    verifyOpStateSignature(shop.hash_algorithm, fields.merchantlogin ?? '', invoiceText, password, signature);
  const isLive = signedWith(passwords.password2);
  if (!isLive && !signedWith(passwords.testPassword2)) {
    return buildResultOnlyResponse(
      root,
      XML_RESULT_CODE.badSignature,
      localize(DESCRIPTIONS.badSignature, language),
    );
  }
  // InvId is a PostgreSQL bigint: a larger number cannot be any payment's.
  const payment =
    /^\d{1,19}$/.test(invoiceText) && BigInt(invoiceText) <= MAX_BIGINT
      ? await findPaymentForState(deps, shop, BigInt(invoiceText), !isLive)
      : undefined;
  if (!payment)
    return buildResultOnlyResponse(
      root,
      XML_RESULT_CODE.operationNotFound,
      localize(DESCRIPTIONS.operationNotFound, language),
    );
  const isNotified = await isSubjectNotified(deps.db, payment.id, 'result_url');
  const method = findMethodByLabelOrAlias(payment.inc_curr_label ?? BANK_CARD_METHOD.incCurrLabel);
  return buildOpStateResponse({
    code: 0,
    stateCode: stateCodeOf(payment, isNotified),
    requestDate: deps.clock.now(),
    stateDate: payment.paid_at ?? payment.updated_at,
    incCurrLabel: payment.inc_curr_label ?? '',
    incSum: sixDecimals(payment.amount_minor, payment.currency),
    incAccount: payment.card_mask ?? '',
    paymentMethodCode: payment.payment_method ?? '',
    paymentMethodDescription: method ? localize(method.group.description, language) : '',
    outCurrLabel: payment.currency,
    outSum: sixDecimals(payment.amount_minor - payment.fee_minor, payment.currency),
    opKey: payment.op_key ?? '',
    userFields: payment.shp,
  });
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
    listMethodGroups().map((group) => ({
      code: group.code,
      description: localize(group.description, language),
      items: group.items.map((item) => ({
        label: item.label,
        alias: item.alias,
        name: localize(item.name, language),
      })),
    })),
  );
}

async function answerPaymentMethods(deps: Deps, fields: Fields): Promise<string> {
  const shop = await requireShop(deps, fields, 'PaymentMethodsList');
  if (typeof shop === 'string') return shop;
  const language = languageOf(fields);
  return buildPaymentMethodsResponse(
    listPaymentMethods().map((method) => ({
      code: method.code,
      description: localize(method.description, language),
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
  const groups = listMethodGroups()
    .map((group) => ({
      code: group.code,
      description: localize(group.description, language),
      items: group.items
        .filter((item) => !wanted || item.label === wanted.item.label)
        .map((item) => ({
          label: item.label,
          name: localize(item.name, language),
          incSum: sixDecimals(outSum, 'RUB'),
        })),
    }))
    .filter((group) => group.items.length > 0);
  return buildRatesResponse(groups);
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
  const fee = computeFee(await findTariff(deps.db, shop.id, method.group.code), incSum, discountPercent);
  return buildCalcOutSumResponse(sixDecimals(incSum - fee, 'RUB'));
}

const METHODS: Record<string, (deps: Deps, fields: Fields) => Promise<string>> = {
  opstateext: answerOpState,
  opstate: answerOpState,
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
    return sendXml(reply, await method(deps, readFields(request)));
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
