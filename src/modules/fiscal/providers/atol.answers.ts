/**
 * Reading ATOL Online's answers. Pure. The body is read whatever the HTTP status (reference §1.6: some
 * validation errors come with 200, others with 400, and error 33 with 400 carries the uuid), and every
 * field is checked before it is trusted: a provider's answer is an input like any other.
 *
 * Error codes (reference §1.10):
 * - 10 MissingToken, 11 ExpiredToken: get a new token and send the same request once more;
 * - 33 IncomingExternalIdAlreadyExists: the document is already registered: success with its uuid;
 * - 12, 13, 14, 20, 21, 31, 32, 41: the document was not registered and sending it again cannot help
 *   (credentials, group, protocol version, schema): rejected;
 * - anything else (0, 1, 40, 50, an unknown code, HTTP 5xx or 429, no JSON): unavailable, so the same
 *   external id is sent again later.
 */
import {
  FiscalProviderUnavailableError,
  type FiscalData,
  type FiscalError,
  type RegistrationAnswer,
  type ReportAnswer,
} from '../fiscal.provider.js';
import { atolNumberToMinor, parseAtolTimestamp } from './atol.document.js';

export const TOKEN_ERROR_CODES: readonly number[] = [10, 11];
export const DUPLICATE_EXTERNAL_ID_CODE = 33;
export const NOT_PROCESSED_YET_CODE = 34;
const REJECTING_CODES: readonly number[] = [12, 13, 14, 20, 21, 31, 32, 41];
/** Service (not register) error codes: in a report they say nothing about the document itself. */
const SERVICE_CODES: readonly number[] = [0, 1, 10, 11, 12, 13, 14, 20, 21, 30, 31, 32, 33, 34, 40, 41, 50];

type Fields = Record<string, unknown>;

function fieldsOf(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** The answer's `error`: null when there is none, a FiscalError (maybe partly unreadable) otherwise. */
export function readAtolError(body: Fields): FiscalError | null {
  if (body.error === null || body.error === undefined) return null;
  const error = fieldsOf(body.error);
  const code = typeof error?.code === 'number' && Number.isInteger(error.code) ? error.code : null;
  const type = typeof error?.type === 'string' ? error.type.slice(0, 32) : null;
  const text = typeof error?.text === 'string' ? error.text.slice(0, 1000) : 'no error text';
  return { code, type, text };
}

export type TokenAnswer = { readonly token: string } | { readonly error: FiscalError };

export function interpretTokenAnswer(httpStatus: number, body: unknown): TokenAnswer {
  const fields = fieldsOf(body);
  if (!fields) throw new FiscalProviderUnavailableError(`getToken: no JSON answer (HTTP ${httpStatus})`);
  const error = readAtolError(fields);
  if (error) {
    if (error.code !== null && REJECTING_CODES.includes(error.code)) return { error };
    throw new FiscalProviderUnavailableError(`getToken: error ${error.code ?? '?'} (HTTP ${httpStatus})`);
  }
  if (typeof fields.token !== 'string' || fields.token === '' || fields.token.length > 1000)
    throw new FiscalProviderUnavailableError(`getToken: no token in the answer (HTTP ${httpStatus})`);
  return { token: fields.token };
}

export type Interpreted<T> = T | { readonly isTokenRefused: true };

function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 128;
}

export function interpretRegistration(httpStatus: number, body: unknown): Interpreted<RegistrationAnswer> {
  const fields = fieldsOf(body);
  if (!fields) throw new FiscalProviderUnavailableError(`registration: no JSON answer (HTTP ${httpStatus})`);
  const error = readAtolError(fields);
  if (error?.code === DUPLICATE_EXTERNAL_ID_CODE) {
    if (isUuid(fields.uuid)) return { outcome: 'accepted', uuid: fields.uuid, isRepeat: true };
    throw new FiscalProviderUnavailableError('registration: error 33 without the first uuid');
  }
  if (error?.code !== undefined && error.code !== null && TOKEN_ERROR_CODES.includes(error.code))
    return { isTokenRefused: true };
  if (error?.code !== undefined && error.code !== null && REJECTING_CODES.includes(error.code))
    return { outcome: 'rejected', error };
  if (error)
    throw new FiscalProviderUnavailableError(
      `registration: error ${error.code ?? '?'} (HTTP ${httpStatus}): ${error.text}`.slice(0, 500),
    );
  if (fields.status === 'wait' && isUuid(fields.uuid))
    return { outcome: 'accepted', uuid: fields.uuid, isRepeat: false };
  throw new FiscalProviderUnavailableError(`registration: unexpected answer (HTTP ${httpStatus})`);
}

function integerOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function digitsOf(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof text === 'string' && /^\d{1,32}$/.test(text) ? text : undefined;
}

function optionalText(value: unknown, maxLength: number): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, maxLength) : null;
}

/** The `payload` of a done report, checked field by field; undefined when anything needed is missing. */
export function parseFiscalPayload(value: unknown): FiscalData | undefined {
  const payload = fieldsOf(value);
  if (!payload) return undefined;
  const receiptDatetime = typeof payload.receipt_datetime === 'string' ? payload.receipt_datetime : '';
  const registeredAt = parseAtolTimestamp(receiptDatetime);
  const fnNumber = digitsOf(payload.fn_number);
  const documentNumber = integerOf(payload.fiscal_document_number);
  const attribute = integerOf(payload.fiscal_document_attribute);
  const receiptNumber = integerOf(payload.fiscal_receipt_number);
  const shiftNumber = integerOf(payload.shift_number);
  const totalMinor = atolNumberToMinor(payload.total);
  const ecrNumber = digitsOf(payload.ecr_registration_number);
  if (
    !registeredAt ||
    fnNumber === undefined ||
    documentNumber === undefined ||
    attribute === undefined ||
    receiptNumber === undefined ||
    shiftNumber === undefined ||
    totalMinor === undefined ||
    ecrNumber === undefined
  )
    return undefined;
  return {
    fnNumber,
    fiscalDocumentNumber: BigInt(documentNumber),
    fiscalDocumentAttribute: BigInt(attribute),
    fiscalReceiptNumber: receiptNumber,
    shiftNumber,
    receiptDatetime,
    registeredAt,
    totalMinor,
    ecrRegistrationNumber: ecrNumber,
    fnsSite: optionalText(payload.fns_site, 256) ?? '',
    ofdInn: optionalText(payload.ofd_inn, 12),
    ofdReceiptUrl: optionalText(payload.ofd_receipt_url, 1000),
  };
}

/** A report's fail that is about the service (a token, an unknown uuid), not about the document. */
function isServiceError(error: FiscalError): boolean {
  return error.type === 'system' && error.code !== null && SERVICE_CODES.includes(error.code);
}

export function interpretReport(httpStatus: number, body: unknown): Interpreted<ReportAnswer> {
  const fields = fieldsOf(body);
  if (!fields) throw new FiscalProviderUnavailableError(`report: no JSON answer (HTTP ${httpStatus})`);
  const error = readAtolError(fields);
  if (error?.code !== undefined && error.code !== null && TOKEN_ERROR_CODES.includes(error.code))
    return { isTokenRefused: true };
  if (fields.status === 'wait') return { status: 'wait' };
  if (fields.status === 'done') {
    const fiscal = parseFiscalPayload(fields.payload);
    if (!fiscal) throw new FiscalProviderUnavailableError('report: done without readable fiscal data');
    return { status: 'done', fiscal, report: fields };
  }
  if (fields.status === 'fail' && error && !isServiceError(error)) return { status: 'fail', error };
  const problem = error ? `error ${error.code ?? '?'}: ${error.text}` : 'unexpected answer';
  throw new FiscalProviderUnavailableError(`report: ${problem} (HTTP ${httpStatus})`.slice(0, 500));
}
