/**
 * Robokassa's Invoice API (reference §8): CreateInvoice, DeactivateInvoice, GetInvoiceInformationList.
 * The body is a JWT: header `{"typ":"JWT","alg":"MD5"}` (MD5, RIPEMD160, SHA1/HS1, SHA256/HS256,
 * SHA384/HS384, SHA512/HS512, or no alg: the shop's own algorithm), signed with HMAC keyed with
 * `MerchantLogin:Password #1`, MerchantLogin written as in the payload.
 *
 * Test links: CreateInvoice with `AdditionalParameters.IsTest = "1"` makes a test link, signed with the
 * test Password #1 (as Robokassa's SDK does) or Password #1. A request signed with the test password
 * reaches only test links: it can neither create nor deactivate nor list live ones.
 *
 * Answers (always HTTP 200, as Robokassa's clients read `isSuccess` before anything else):
 * CreateInvoice `{"id","invId","url","isSuccess":true}`; DeactivateInvoice `{"isSuccess":true}`;
 * GetInvoiceInformationList `{"isSuccess":true,"currentPage","pageSize","totalCount","totalPages",
 * "invoices":[...]}`; any refusal `{"isSuccess":false,"message":"..."}`.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { AppError } from '../../platform/http/errors.js';
import { formatMinor } from '../../platform/money.js';
import type { ShopsTable } from '../../schema.js';
import { decodeJwt, verifyJwtSignature, type DecodedJwt, type JwtPolicy } from '../protocol/index.js';
import { findShopByMerchantLogin, readShopPasswords } from '../shops/index.js';
import { listShopInvoices, readListPayload, type ListedInvoice } from './invoice-api.list.js';
import {
  invalid,
  readCreateInvoicePayload,
  readInvId,
  readIsTest,
  type Read,
} from './invoice-api.payload.js';
import {
  createInvoice,
  deactivateInvoice,
  findShopInvoice,
  invoiceUrl,
  type InvoiceReference,
  type NewInvoice,
} from './invoice.service.js';
import { robokassaStatus } from './invoice.status.js';

const INVOICE_JWT_POLICY: JwtPolicy = {
  algorithms: ['MD5', 'RIPEMD160', 'SHA1', 'HS1', 'SHA256', 'HS256', 'SHA384', 'HS384', 'SHA512', 'HS512'],
  isAlgorithmOptional: true,
};

export const INVOICE_API_MESSAGES = {
  badRequest:
    'Invalid request: the body must be a JWT (base64url header.payload.signature) with a JSON object payload, ' +
    'signed with HMAC MD5, RIPEMD160, SHA1, SHA256, SHA384 or SHA512.',
  merchantNotFound: 'Merchant not found: no shop has this MerchantLogin.',
  invalidSignature:
    'Invalid signature: HMAC of header.payload with the key MerchantLogin:Password#1 does not match.',
  invoiceNotFound: 'Invoice not found.',
  testOnly:
    'The shop is not activated: only test invoices (AdditionalParameters.IsTest = "1") can be created.',
  sandboxOnly:
    'This installation has no real acquirer: only test invoices (AdditionalParameters.IsTest = "1") can be created.',
  tooManyFailures:
    'Too many requests with a wrong signature from this address: retry after the time in the Retry-After header.',
} as const;

export type InvoiceApiAnswer = Readonly<Record<string, unknown>>;

const refused = (message: string): InvoiceApiAnswer => ({ isSuccess: false, message });

type Payload = Readonly<Record<string, unknown>>;

interface Caller {
  readonly shop: ShopsTable;
  readonly payload: Payload;
  /** Signed with the test Password #1: only test links are within reach. */
  readonly isTestKey: boolean;
  readonly jwt: DecodedJwt;
}

/**
 * The caller's shop, once the signature holds. `acceptsTestKey` sees the payload first: a test link may
 * be signed with the test password, a live one never.
 */
async function authenticate(
  deps: Deps,
  token: string | undefined,
  acceptsTestKey: (payload: Payload) => boolean,
): Promise<Read<Caller>> {
  const jwt = token === undefined ? undefined : decodeJwt(token, INVOICE_JWT_POLICY);
  if (!jwt) return { ok: false, message: INVOICE_API_MESSAGES.badRequest };
  const login = jwt.payload.MerchantLogin;
  if (typeof login !== 'string' || login === '' || login.length > 64)
    return invalid('MerchantLogin', 'the shop identifier is expected.');
  const shop = await findShopByMerchantLogin(deps.db, login);
  if (!shop) return { ok: false, message: INVOICE_API_MESSAGES.merchantNotFound };
  const passwords = readShopPasswords(deps.config.masterKey, shop);
  const algorithm = jwt.algorithm ?? shop.hash_algorithm;
  if (verifyJwtSignature(jwt, `${login}:${passwords.password1}`, algorithm))
    return { ok: true, value: { shop, payload: jwt.payload, isTestKey: false, jwt } };
  if (
    acceptsTestKey(jwt.payload) &&
    verifyJwtSignature(jwt, `${login}:${passwords.testPassword1}`, algorithm)
  )
    return { ok: true, value: { shop, payload: jwt.payload, isTestKey: true, jwt } };
  return { ok: false, message: INVOICE_API_MESSAGES.invalidSignature };
}

function toRefusal(error: unknown, invId: bigint | null): InvoiceApiAnswer {
  if (!(error instanceof AppError)) throw error;
  switch (error.code) {
    case 'inv_id_taken':
      return refused(
        `Invalid InvId: ${String(invId)} is already used by another invoice or payment of the shop.`,
      );
    case 'shop_takes_test_payments_only':
      return refused(INVOICE_API_MESSAGES.testOnly);
    case 'sandbox_takes_test_payments_only':
      return refused(INVOICE_API_MESSAGES.sandboxOnly);
    default:
      throw error;
  }
}

/**
 * Robokassa marks links made through this API with `shp_interface=InvoiceService.WebApi` (reference §3,
 * OpStateExt): their payments carry it like any Shp parameter, unless the merchant set it already.
 */
function withInterfaceField(invoice: NewInvoice): NewInvoice {
  const hasField = invoice.userFields.some(([name]) => name.toLowerCase() === 'shp_interface');
  return hasField
    ? invoice
    : { ...invoice, userFields: [...invoice.userFields, ['shp_interface', 'InvoiceService.WebApi']] };
}

/**
 * A link with the merchant's InvId gets an id derived from the signed token (its signed text and the
 * signature's bytes), so the same token sent again (a retry after a lost answer, or a replay) answers the
 * link it made, where it would otherwise hear "InvId already used". Without an InvId nothing is derived:
 * two identical requests are two links (a shop may sell the same thing to two buyers), and a replayed
 * token can only make another unpaid link on the merchant's own terms: no money moves.
 */
export function invoiceIdOf(jwt: DecodedJwt): string {
  const digest = createHash('sha256')
    .update(`invoice-api\n${jwt.signingInput}\n`)
    .update(jwt.signature)
    .digest();
  // The shape of every other id (createId): 20 base32 characters, 100 bits.
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  return `inv_${[...digest.subarray(0, 20)].map((byte) => alphabet[byte % 32]).join('')}`;
}

function createdAnswer(deps: Deps, row: { id: string; inv_id: bigint | null; encoded_id: string }) {
  return {
    id: row.id,
    invId: row.inv_id,
    url: invoiceUrl(deps.config.publicUrl, row.encoded_id),
    isSuccess: true,
  };
}

export async function createInvoiceFromToken(
  deps: Deps,
  token: string | undefined,
  ip: string,
): Promise<InvoiceApiAnswer> {
  const caller = await authenticate(deps, token, readIsTest);
  if (!caller.ok) return refused(caller.message);
  const invoice = readCreateInvoicePayload(caller.value.payload, deps.clock.now());
  if (!invoice.ok) return refused(invoice.message);
  const id = invoice.value.invId === null ? undefined : invoiceIdOf(caller.value.jwt);
  const made = id === undefined ? undefined : await findShopInvoice(deps, caller.value.shop.id, { id });
  if (made) return createdAnswer(deps, made);
  try {
    const row = await createInvoice(deps, caller.value.shop, withInterfaceField(invoice.value), {
      source: 'api',
      createdBy: null,
      ip,
      ...(id !== undefined ? { id } : {}),
    });
    return createdAnswer(deps, row);
  } catch (error) {
    // The same token twice at once: the primary key lets one through, and the other answers its link.
    const raced =
      id !== undefined && isUniqueViolation(error, 'invoices_pkey')
        ? await findShopInvoice(deps, caller.value.shop.id, { id })
        : undefined;
    if (raced) return createdAnswer(deps, raced);
    return toRefusal(error, invoice.value.invId);
  }
}

/** DeactivateInvoice names the link by EncodedId (the link's last segment), Id or InvId. */
function readReference(payload: Payload): Read<InvoiceReference> {
  const { EncodedId: encodedId, Id: id, InvId: invId } = payload;
  if (typeof encodedId === 'string' && encodedId.trim() !== '')
    return { ok: true, value: { encodedId: encodedId.trim() } };
  if (typeof id === 'string' && id.trim() !== '') return { ok: true, value: { id: id.trim() } };
  const number = readInvId(invId);
  if (!number.ok) return number;
  if (number.value !== null) return { ok: true, value: { invId: number.value } };
  return invalid('EncodedId', 'one of EncodedId, Id or InvId is expected.');
}

export async function deactivateInvoiceFromToken(
  deps: Deps,
  token: string | undefined,
  ip: string,
): Promise<InvoiceApiAnswer> {
  const caller = await authenticate(deps, token, () => true);
  if (!caller.ok) return refused(caller.message);
  const reference = readReference(caller.value.payload);
  if (!reference.ok) return refused(reference.message);
  const invoice = await findShopInvoice(deps, caller.value.shop.id, reference.value);
  if (!invoice || (caller.value.isTestKey && !invoice.is_test))
    return refused(INVOICE_API_MESSAGES.invoiceNotFound);
  await deactivateInvoice(deps, invoice, { userId: null, ip });
  return { isSuccess: true };
}

function toListItem(deps: Deps, invoice: ListedInvoice) {
  const paidCount = Number(invoice.paid_count);
  return {
    id: invoice.id,
    encodedId: invoice.encoded_id,
    invId: invoice.inv_id,
    url: invoiceUrl(deps.config.publicUrl, invoice.encoded_id),
    invoiceType: invoice.invoice_type,
    status: robokassaStatus(invoice, paidCount, deps.clock.now()),
    isTest: invoice.is_test,
    outSum: Number(formatMinor(invoice.amount_minor, invoice.currency)),
    currency: invoice.currency,
    description: invoice.description,
    merchantComments: invoice.merchant_comments,
    createdDate: invoice.created_at.toISOString(),
    expirationDate: invoice.expires_at?.toISOString() ?? null,
    deactivationDate: invoice.deactivated_at?.toISOString() ?? null,
    paidDate: invoice.last_paid_at?.toISOString() ?? null,
    paymentsPaid: paidCount,
  };
}

export async function listInvoicesFromToken(
  deps: Deps,
  token: string | undefined,
): Promise<InvoiceApiAnswer> {
  const caller = await authenticate(deps, token, () => true);
  if (!caller.ok) return refused(caller.message);
  const filters = readListPayload(caller.value.payload);
  if (!filters.ok) return refused(filters.message);
  const scope = { shopId: caller.value.shop.id, isTestOnly: caller.value.isTestKey };
  const page = await listShopInvoices(deps, scope, filters.value);
  return {
    isSuccess: true,
    currentPage: filters.value.currentPage,
    pageSize: filters.value.pageSize,
    totalCount: page.totalCount,
    totalPages: Math.ceil(page.totalCount / filters.value.pageSize),
    invoices: page.invoices.map((invoice) => toListItem(deps, invoice)),
  };
}
