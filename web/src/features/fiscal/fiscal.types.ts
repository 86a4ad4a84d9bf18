// Shapes of the cabinet's fiscal API (/api/cabinet/shops/:id/fiscal-settings, /api/cabinet/fiscal-receipts).

export type FiscalProvider = 'none' | 'atol';
export type Sno = 'osn' | 'usn_income' | 'usn_income_outcome' | 'esn' | 'patent';
export const SNO_VALUES: readonly Sno[] = ['osn', 'usn_income', 'usn_income_outcome', 'esn', 'patent'];

export interface SandboxSuggestion {
  baseUrl: string;
  login: string;
  password: string;
  groupCode: string;
  companyInn: string;
  paymentAddress: string;
}

export interface FiscalSettings {
  shopId: string;
  provider: FiscalProvider;
  baseUrl: string;
  login: string | null;
  hasPassword: boolean;
  groupCode: string | null;
  companyInn: string | null;
  paymentAddress: string | null;
  sno: Sno | null;
  companyEmail: string | null;
  updatedAt: string | null;
  /** Kopek's ATOL sandbox, offered outside production. */
  sandbox: SandboxSuggestion | null;
}

export type FiscalReceiptStatus = 'pending' | 'wait' | 'done' | 'fail';
export type FiscalReceiptKind = 'sell' | 'sell_refund';

export interface FiscalData {
  fnNumber: string;
  fiscalDocumentNumber: string;
  fiscalDocumentAttribute: string;
  fiscalReceiptNumber: number | null;
  shiftNumber: number | null;
  receiptDatetime: string | null;
  registeredAt: string | null;
  total: string | null;
  ecrRegistrationNumber: string | null;
  ofdInn: string | null;
  ofdReceiptUrl: string | null;
  fnsSite: string | null;
  qr: string;
  checkUrl: string | null;
}

export interface FiscalReceipt {
  id: string;
  shopId: string;
  paymentId: string;
  refundId: string | null;
  kind: FiscalReceiptKind;
  status: FiscalReceiptStatus;
  total: string;
  generation: number;
  externalId: string;
  uuid: string | null;
  attempts: number;
  polls: number;
  error: string | null;
  nextAttemptAt: string | null;
  canRetry: boolean;
  secondReceiptId: string | null;
  buyerMailedAt: string | null;
  fiscal: FiscalData | null;
  createdAt: string;
  updatedAt: string;
}
