/**
 * What Kopek sends to the merchant after a payment: the ResultURL notification (server to server,
 * reference §2) and the SuccessURL / FailURL redirects of the buyer's browser (§3), as ordered
 * name/value pairs that the caller puts in a query string or a form. OutSum, InvId and Shp values
 * are passed through exactly as the merchant sent them, because the merchant verifies the signature
 * against what it receives.
 */
import { signResult, signSuccess, type HashAlgorithm, type ShpEntry } from './signature.js';

export type NotificationField = [name: string, value: string];

export interface ResultNotificationInput {
  readonly outSum: string;
  readonly invId: string;
  /** Kopek's commission as decimal text; the shop receives OutSum - Fee. */
  readonly fee: string;
  readonly email?: string | undefined;
  readonly paymentMethod: string;
  readonly incCurrLabel: string;
  readonly isTest: boolean;
  readonly shp: readonly ShpEntry[];
  readonly password2: string;
  readonly algorithm: HashAlgorithm;
}

export interface RedirectInput {
  readonly outSum: string;
  readonly invId: string;
  readonly culture: 'ru' | 'en';
  readonly isTest: boolean;
  readonly shp: readonly ShpEntry[];
}

export interface SuccessRedirectInput extends RedirectInput {
  readonly password1: string;
  readonly algorithm: HashAlgorithm;
}

/**
 * OutSum, InvId, Fee, EMail, SignatureValue, PaymentMethod, IncCurrLabel, IsTest, Shp_*.
 * EMail (capital M, as in the docs) is left out in test mode, as Robokassa does; IsTest=1 appears only
 * in test mode; Culture never appears (merchants tell Result from Success by its absence).
 */
export function buildResultNotificationFields(input: ResultNotificationInput): NotificationField[] {
  const signature = signResult(input.algorithm, input.outSum, input.invId, input.password2, input.shp);
  const hasEmail = input.email !== undefined && !input.isTest;
  return [
    ['OutSum', input.outSum],
    ['InvId', input.invId],
    ['Fee', input.fee],
    ...(hasEmail ? [['EMail', input.email ?? ''] as NotificationField] : []),
    ['SignatureValue', signature],
    ['PaymentMethod', input.paymentMethod],
    ['IncCurrLabel', input.incCurrLabel],
    ...testModeFields(input.isTest),
    ...copyShp(input.shp),
  ];
}

/** OutSum, InvId, SignatureValue (Password #1), Culture, IsTest, Shp_*. */
export function buildSuccessRedirectFields(input: SuccessRedirectInput): NotificationField[] {
  const signature = signSuccess(input.algorithm, input.outSum, input.invId, input.password1, input.shp);
  return [
    ['OutSum', input.outSum],
    ['InvId', input.invId],
    ['SignatureValue', signature],
    ['Culture', input.culture],
    ...testModeFields(input.isTest),
    ...copyShp(input.shp),
  ];
}

/** OutSum, InvId, Culture, IsTest, Shp_*: unsigned, so reaching FailURL proves nothing by itself. */
export function buildFailRedirectFields(input: RedirectInput): NotificationField[] {
  return [
    ['OutSum', input.outSum],
    ['InvId', input.invId],
    ['Culture', input.culture],
    ...testModeFields(input.isTest),
    ...copyShp(input.shp),
  ];
}

/**
 * The merchant acknowledges a ResultURL notification with the text `OK<InvId>`. 'OK' is
 * case-sensitive and the InvId must be the notified one; whitespace around it (a trailing newline
 * from echo, a byte-order mark from a PHP file) is tolerated. Anything else means "send it again".
 */
export function isResultAcknowledged(body: string, invId: string): boolean {
  return body.trim() === `OK${invId}`;
}

function testModeFields(isTest: boolean): NotificationField[] {
  return isTest ? [['IsTest', '1']] : [];
}

function copyShp(shp: readonly ShpEntry[]): NotificationField[] {
  return shp.map(([name, value]) => [name, value]);
}
