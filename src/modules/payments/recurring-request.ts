/**
 * Reading a child recurring charge, `POST /Merchant/Recurring` (robokassa-protocol.md §7). The fields are
 * the payment request's (MerchantLogin, InvoiceID, OutSum, Description, Receipt, ResultUrl2, Shp_*,
 * SignatureValue), read by the protocol's own parser so that names, repeated values, amounts and the
 * signature candidates are exactly the payment request's, plus PreviousInvoiceID (not signed).
 *
 * Signature `MerchantLogin:OutSum:InvoiceID[:Receipt][:ResultUrl2]:Password#1[:Shp…]`: the payment
 * request's signature with only those modifiers, so every documented encoding variant is accepted.
 * Refused here with error 35, as the official SDK refuses them: Recurring, IncCurrLabel, ExpirationDate,
 * Email and IsTest (child charges have no test mode), and the fields that would sign or change something
 * a child cannot have (StepByStep, Token, OutSumCurrency, UserIp, SuccessUrl2/FailUrl2 and their methods).
 * InvoiceID may be left out or 0: Kopek assigns one and answers it in `OK<InvoiceID>`.
 */
import {
  parseInitRequest,
  protocolError,
  type InitRequest,
  type ProtocolError,
  type RequestFields,
} from '../protocol/index.js';

export interface RecurringChargeRequest {
  readonly request: InitRequest;
  readonly previousInvoiceId: bigint;
}

export type RecurringRequestParseResult =
  | { readonly ok: true; readonly charge: RecurringChargeRequest }
  | { readonly ok: false; readonly error: ProtocolError };

const MAX_INVOICE_ID = 9_223_372_036_854_775_807n;

/** Fields a child charge must not carry, with what the merchant reads when it does. */
const FORBIDDEN_FIELDS: readonly { name: string; isSent: (request: InitRequest) => boolean }[] = [
  { name: 'Recurring', isSent: (request) => request.isRecurring },
  { name: 'IncCurrLabel', isSent: (request) => request.incCurrLabel !== undefined },
  { name: 'ExpirationDate', isSent: (request) => request.expirationDate !== undefined },
  { name: 'Email', isSent: (request) => request.email !== undefined },
  { name: 'StepByStep', isSent: (request) => request.stepByStep !== undefined },
  { name: 'Token', isSent: (request) => request.token !== undefined },
  { name: 'OutSumCurrency', isSent: (request) => request.outSumCurrency !== undefined },
  { name: 'UserIp', isSent: (request) => request.userIp !== undefined },
  { name: 'SuccessUrl2', isSent: (request) => request.signatureParams.successUrl2 !== undefined },
  { name: 'SuccessUrl2Method', isSent: (request) => request.signatureParams.successUrl2Method !== undefined },
  { name: 'FailUrl2', isSent: (request) => request.signatureParams.failUrl2 !== undefined },
  { name: 'FailUrl2Method', isSent: (request) => request.signatureParams.failUrl2Method !== undefined },
];

function refuse(field: string, ru: string, en: string): RecurringRequestParseResult {
  return { ok: false, error: protocolError(35, field, { ru, en }) };
}

/** PreviousInvoiceID by any letter case; one value (a repeated different value is refused). */
function readPreviousInvoiceId(fields: RequestFields): string[] {
  const values: string[] = [];
  for (const [name, raw] of Object.entries(fields)) {
    if (name.toLowerCase() !== 'previousinvoiceid') continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value === 'string' && value !== '') values.push(value);
    }
  }
  return [...new Set(values)];
}

export function parseRecurringChargeRequest(fields: RequestFields): RecurringRequestParseResult {
  const parsed = parseInitRequest(fields);
  if (!parsed.ok) return parsed;
  const { request } = parsed;
  if (request.isTest) {
    return refuse(
      'IsTest',
      'У повторных списаний нет тестового режима: IsTest передавать нельзя.',
      'Recurring charges have no test mode: IsTest must not be sent.',
    );
  }
  const forbidden = FORBIDDEN_FIELDS.find((field) => field.isSent(request));
  if (forbidden) {
    return refuse(
      forbidden.name,
      `Параметр ${forbidden.name} нельзя передавать в повторном списании.`,
      `${forbidden.name} cannot be sent with a recurring charge.`,
    );
  }
  const previous = readPreviousInvoiceId(fields);
  const previousText = previous[0];
  if (previous.length !== 1 || previousText === undefined || !/^\d{1,19}$/.test(previousText)) {
    return refuse(
      'PreviousInvoiceID',
      'Передайте PreviousInvoiceID: номер оплаченного материнского счёта (целое число).',
      'Send PreviousInvoiceID: the number of the paid parent invoice (a whole number).',
    );
  }
  const previousInvoiceId = BigInt(previousText);
  if (previousInvoiceId <= 0n || previousInvoiceId > MAX_INVOICE_ID) {
    return refuse(
      'PreviousInvoiceID',
      'PreviousInvoiceID должен быть целым числом от 1 до 9223372036854775807.',
      'PreviousInvoiceID must be a whole number from 1 to 9223372036854775807.',
    );
  }
  if (request.invId !== null && request.invId === previousInvoiceId) {
    return refuse(
      'InvoiceID',
      'InvoiceID повторного списания должен отличаться от PreviousInvoiceID.',
      'The InvoiceID of a recurring charge must differ from PreviousInvoiceID.',
    );
  }
  return { ok: true, charge: { request, previousInvoiceId } };
}
