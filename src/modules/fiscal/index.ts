/**
 * Fiscal receipts under 54-FZ: a shop's fiscal settings (none, or its own ATOL Online account, password
 * sealed), the receipts of payments ('sell') and refunds ('sell_refund') registered through a
 * FiscalProvider (the ATOL Online v5 client) by the 'fiscal.register' job, the cabinet's views and retry,
 * ATOL's callback, Robokassa's second receipt (Receipt/Attach, Receipt/Status), the buyer's e-mail with
 * the fiscal data, imports of the shop's own ATOL registers' receipts (imported_receipts), and an
 * ATOL-protocol sandbox for development and tests. Owns the fiscal_*, imported_receipts and
 * atol_sandbox_* tables. Other modules call enqueueFiscalReceipt inside the transaction that marks a
 * payment paid or a refund done; this module imports none of them (only shops, for Receipt/Attach's
 * MerchantLogin and Password #1).
 */
export {
  acceptProviderCallback,
  enqueueFiscalReceipt,
  enqueueWholeSaleRefundReceipt,
  getFiscalReceipt,
  isRetryable,
  listFiscalReceipts,
  retryFiscalReceipt,
  type EnqueuedFiscalReceipt,
  type FiscalDataView,
  type FiscalReceiptView,
  type NewFiscalReceipt,
} from './fiscal-receipt.service.js';
export {
  fiscalSecretBox,
  readFiscalSettings,
  saveFiscalSettings,
  type FiscalSettingsView,
  type SandboxSuggestion,
} from './fiscal-settings.service.js';
export {
  checkFiscalSettings,
  DEFAULT_ATOL_BASE_URL,
  fiscalSettingsProblems,
  type FiscalSettingsInput,
} from './fiscal-settings.validation.js';
export { draftFromJson, draftToJson } from './fiscal.draft-json.js';
export { fiscalErrors } from './fiscal.errors.js';
export { createFiscalRegisterHandler } from './fiscal.jobs.js';
export {
  describeFiscalError,
  FiscalProviderUnavailableError,
  type FiscalAccount,
  type FiscalData,
  type FiscalError,
  type FiscalProvider,
  type RegistrationAnswer,
  type RegistrationRequest,
  type ReportAnswer,
} from './fiscal.provider.js';
export { buildCheckPageUrl, buildFiscalQr, type QrSource } from './fiscal.qr.js';
export { enqueueBuyerReceiptMail, renderFiscalReceiptMail } from './fiscal.mail.js';
export {
  AGENT_TYPES,
  describeProblems,
  draftTotalMinor,
  findDraftProblems,
  lineSumMinor,
  MEASURES,
  PAYMENT_METHODS,
  PAYMENT_OBJECTS,
  SNO_VALUES,
  VAT_TYPES,
  type AgentType,
  type FiscalAgent,
  type FiscalClient,
  type FiscalItem,
  type FiscalPayment,
  type FiscalPaymentType,
  type FiscalReceiptDraft,
  type FiscalSupplier,
  type Measure,
  type PaymentMethod,
  type PaymentObject,
  type Sno,
  type VatType,
} from './fiscal.receipt.js';
export { registerFiscalCallbackRoutes, registerFiscalRoutes } from './fiscal.routes.js';
export {
  registerSecondReceiptRoutes,
  ROBOFISCAL_ATTACH_PATH,
  ROBOFISCAL_STATUS_PATH,
} from './second-receipt.routes.js';
export {
  IMPORT_COLUMNS,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_LINES,
  parseImportFile,
  type ImportedRow,
  type ImportLineProblem,
} from './register-import.parse.js';
export {
  acceptImportCallback,
  createImportCallbackUrl,
  IMPORT_CALLBACK_PATH,
  importRegisterFile,
  readImportState,
  type ImportResult,
  type ImportState,
} from './register-import.service.js';
export { attachSecondReceipt, readSecondReceiptStatus, type AttachAnswer } from './second-receipt.service.js';
export {
  AUTOMATIC_ATTEMPTS,
  AUTOMATIC_POLLS,
  FISCAL_QUEUE,
  pollDelayMs,
  registrationRetryDelayMs,
} from './fiscal.schedule.js';
export type { FiscalReceiptKind, FiscalReceiptStatus } from './fiscal.tables.js';
export {
  ATOL_USER_AGENT,
  AtolOnlineClient,
  DEFAULT_ATOL_TIMEOUT_MS,
  TOKEN_RENEW_AFTER_MS,
  type AtolClientOptions,
} from './providers/atol-online.client.js';
export {
  buildAtolDocument,
  formatAtolTimestamp,
  parseAtolTimestamp,
  type AtolDocument,
  type AtolOperation,
  type FiscalCompany,
} from './providers/atol.document.js';
export { registerAtolSandbox } from './providers/atol-sandbox.routes.js';
export {
  AtolSandbox,
  DEFAULT_BEHAVIOUR as DEFAULT_SANDBOX_BEHAVIOUR,
  SANDBOX_PATH,
  SANDBOX_PUBLIC_ACCOUNT,
  type SandboxBehaviour,
  type SandboxDocumentView,
  type SandboxGroupSettings,
} from './providers/atol-sandbox.service.js';
export {
  draftFromReceipt,
  fallbackDraft,
  freeSaleDraft,
  type ReceiptBuyer,
  type ReceiptFallback,
} from './robokassa-receipt.js';
