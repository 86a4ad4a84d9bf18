/**
 * What a payment link's state is, derived (never stored) from its terms, its deactivation and how many
 * of its payments are paid: the payments module marks payments paid and knows nothing of links.
 *
 * Two vocabularies:
 * - the cabinet's: active, paid (a one-time link whose payment is paid), expired, deactivated;
 * - Robokassa's (GetInvoiceInformationList): Paid (at least one payment paid), Expired (no longer
 *   payable: past ExpirationDate or deactivated, and nothing paid), Notpaid (payable, nothing paid yet).
 *   Robokassa has no "deactivated": a deactivated link reads as Expired, and its page answers error 51.
 */
import { sql, type RawBuilder } from 'kysely';
import type { InvoiceRow } from './invoice.tables.js';

export type InvoiceState = 'active' | 'paid' | 'expired' | 'deactivated';
export type RobokassaInvoiceStatus = 'Paid' | 'Expired' | 'Notpaid';
export const ROBOKASSA_INVOICE_STATUSES: readonly RobokassaInvoiceStatus[] = ['Paid', 'Expired', 'Notpaid'];

type StateInput = Pick<InvoiceRow, 'invoice_type' | 'deactivated_at' | 'expires_at'>;

export function hasExpired(invoice: Pick<InvoiceRow, 'expires_at'>, now: Date): boolean {
  return invoice.expires_at !== null && invoice.expires_at.getTime() <= now.getTime();
}

export function invoiceState(invoice: StateInput, paidCount: number, now: Date): InvoiceState {
  if (invoice.invoice_type === 'OneTime' && paidCount > 0) return 'paid';
  if (invoice.deactivated_at !== null) return 'deactivated';
  if (hasExpired(invoice, now)) return 'expired';
  return 'active';
}

export function robokassaStatus(invoice: StateInput, paidCount: number, now: Date): RobokassaInvoiceStatus {
  if (paidCount > 0) return 'Paid';
  return invoice.deactivated_at !== null || hasExpired(invoice, now) ? 'Expired' : 'Notpaid';
}

/** How many payments of the link `invoices` row are paid, as a correlated subquery. */
export const PAID_COUNT: RawBuilder<bigint> = sql<bigint>`(
  select count(*) from invoice_payments
  join payments on payments.id = invoice_payments.payment_id
  where invoice_payments.invoice_id = invoices.id and payments.status = 'paid')`;

/** When the link's latest paid payment was paid. */
export const LAST_PAID_AT: RawBuilder<Date | null> = sql<Date | null>`(
  select max(payments.paid_at) from invoice_payments
  join payments on payments.id = invoice_payments.payment_id
  where invoice_payments.invoice_id = invoices.id and payments.status = 'paid')`;

/** The SQL twin of robokassaStatus, for filtering a list by status. */
export function robokassaStatusCondition(status: RobokassaInvoiceStatus, now: Date): RawBuilder<boolean> {
  switch (status) {
    case 'Paid':
      return sql<boolean>`${PAID_COUNT} > 0`;
    case 'Expired':
      return sql<boolean>`(${PAID_COUNT} = 0 and (invoices.deactivated_at is not null or invoices.expires_at <= ${now}))`;
    case 'Notpaid':
      return sql<boolean>`(${PAID_COUNT} = 0 and invoices.deactivated_at is null and (invoices.expires_at is null or invoices.expires_at > ${now}))`;
  }
}
