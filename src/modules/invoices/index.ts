/**
 * Invoices: payment links. Owns the `invoices` and `invoice_payments` tables, Robokassa's Invoice API
 * (CreateInvoice, DeactivateInvoice, GetInvoiceInformationList; JWT keyed with MerchantLogin:Password #1),
 * the buyer's link page (`/merchant/Invoice/<EncodedId>`, errors 51, 52, 53) that starts a payment on the
 * hosted checkout, and the cabinet's «Ссылки на оплату» with QR codes. One-time links take one payment;
 * reusable links take any number, each a new payment with its own InvId.
 */
export { registerInvoiceApiRoutes } from './invoice-api.routes.js';
export {
  getAccountInvoice,
  INVOICE_PAGE_SIZE,
  listAccountInvoices,
  type InvoiceView,
} from './invoice.cabinet.js';
export { createInvoice, deactivateInvoice, findShopInvoice } from './invoice.service.js';
export { registerInvoicePayRoutes } from './invoice-pay.routes.js';
export { registerInvoiceRoutes } from './invoice.routes.js';
