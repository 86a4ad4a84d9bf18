/**
 * Refunds: money of a paid payment returned to the buyer, in part or in full, from the cabinet or through
 * Robokassa's Refund API (JWT signed with Password #3). Owns the `refunds` table; posts each refund's
 * ledger transfer and the payment's 'refunded' event in the refund's transaction.
 */
export { registerRefundApiRoutes } from './refund-api.routes.js';
export { registerRefundRoutes } from './refund.routes.js';
export {
  listPaymentRefunds,
  refundFromCabinet,
  refundPayment,
  type RefundList,
  type RefundRequest,
  type RefundView,
} from './refund.service.js';
export { createMethodRefundHandler, METHOD_REFUND_QUEUE } from './method-refund.js';
