// Shapes of /api/cabinet/invoices, as the server sends them (src/modules/invoices/invoice.cabinet.ts).
import type { Currency } from '../../lib/types';
import type { OperationStatus } from '../operations/operation.types';

export type InvoiceType = 'OneTime' | 'Reusable';
export type InvoiceState = 'active' | 'paid' | 'expired' | 'deactivated';

export interface Invoice {
  id: string;
  shopId: string;
  shopName: string;
  url: string;
  invId: string | null;
  invoiceType: InvoiceType;
  state: InvoiceState;
  amount: string;
  currency: Currency;
  description: string;
  isTest: boolean;
  source: 'api' | 'cabinet';
  expiresAt: string | null;
  deactivatedAt: string | null;
  createdAt: string;
  paidCount: number;
  lastPaidAt: string | null;
}

export interface InvoicePayment {
  id: string;
  invId: string;
  status: OperationStatus;
  createdAt: string;
  paidAt: string | null;
}

export interface InvoiceDetails extends Invoice {
  payments: InvoicePayment[];
}

export interface InvoicePage {
  items: Invoice[];
  total: number;
  page: number;
  pageSize: number;
}
