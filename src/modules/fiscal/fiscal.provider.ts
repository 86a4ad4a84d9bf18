/**
 * The fiscal provider behind an interface: a cloud cash register that registers receipts by external id
 * and reports on them. The implementation that ships is the ATOL Online v5 client
 * (providers/atol-online.client.ts); the sandbox Kopek ships speaks the same protocol over HTTP, and so
 * do other providers (Evotor's connector, OFD.ru Ferma's converter): the base URL is the shop's setting.
 * The document is therefore ATOL's v5 body; a provider with another protocol would translate from it.
 *
 * A provider must treat the external id as an idempotency key: registering it again (after a timeout or
 * a lost answer) answers the uuid of the first registration and registers nothing new. Answers:
 * - register: accepted (uuid, and whether it was a repeat), or rejected: the provider says the document
 *   was not registered (bad data, bad credentials), so only a fixed document under a new id can follow;
 * - report: wait, done (fiscal data), or fail (the register refused it);
 * - anything else (no answer, a timeout, a server error, an unreadable answer) throws
 *   FiscalProviderUnavailableError: the caller tries again later with the same external id.
 */
import type { AtolDocument, AtolOperation } from './providers/atol.document.js';

/** The shop's account with the provider. The password is plain only in memory, for the call. */
export interface FiscalAccount {
  readonly baseUrl: string;
  readonly login: string;
  readonly password: string;
  readonly groupCode: string;
}

export interface FiscalError {
  readonly code: number | null;
  readonly type: string | null;
  readonly text: string;
}

export interface FiscalData {
  readonly fnNumber: string;
  readonly fiscalDocumentNumber: bigint;
  readonly fiscalDocumentAttribute: bigint;
  readonly fiscalReceiptNumber: number;
  readonly shiftNumber: number;
  /** `dd.mm.yyyy HH:MM:SS` as the register printed it. */
  readonly receiptDatetime: string;
  readonly registeredAt: Date;
  readonly totalMinor: bigint;
  readonly ecrRegistrationNumber: string;
  readonly fnsSite: string;
  readonly ofdInn: string | null;
  readonly ofdReceiptUrl: string | null;
}

export type RegistrationAnswer =
  | { readonly outcome: 'accepted'; readonly uuid: string; readonly isRepeat: boolean }
  | { readonly outcome: 'rejected'; readonly error: FiscalError };

export type ReportAnswer =
  | { readonly status: 'wait' }
  | { readonly status: 'done'; readonly fiscal: FiscalData; readonly report: unknown }
  | { readonly status: 'fail'; readonly error: FiscalError };

export interface RegistrationRequest {
  readonly operation: AtolOperation;
  readonly document: AtolDocument;
}

export interface FiscalProvider {
  register(account: FiscalAccount, request: RegistrationRequest): Promise<RegistrationAnswer>;
  fetchReport(account: FiscalAccount, uuid: string): Promise<ReportAnswer>;
}

/** No usable answer: the same request may be sent again later. The message never holds secrets. */
export class FiscalProviderUnavailableError extends Error {
  override readonly name = 'FiscalProviderUnavailableError';
}

export function describeFiscalError(error: FiscalError): string {
  const code = error.code === null ? '' : ` ${error.code}`;
  const type = error.type === null ? '' : ` (${error.type})`;
  return `ATOL${code}${type}: ${error.text}`.slice(0, 2000);
}
