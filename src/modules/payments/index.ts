/**
 * Payments: a payment's life from Robokassa's payment request to money received: creation with InvId
 * rules, card attempts through the acquirer (3-D Secure, unknown outcomes reconciled), the timeline, and
 * what being paid causes (ResultURL notification, buyer e-mail). Buyer pages live in `checkout`.
 */
export {
  answerChallenge,
  createReconcileHandler,
  findOpenAttempt,
  payByCard,
  RECONCILE_QUEUE,
  type CardStep,
} from './card-payment.service.js';
export {
  buildReturnTarget,
  loadCheckoutPayment,
  type CheckoutPayment,
  type ReturnTarget,
} from './payment-return.js';
export { registerOperationRoutes } from './operation.routes.js';
export { decodeOperationCursor, getOperation, listOperations } from './operation.queries.js';
export { recordPaymentEvent, type PaymentEventKind } from './payment.events.js';
export { startPayment, type SignatureDebug, type StartOutcome } from './payment-start.service.js';
export { registerWebServiceRoutes } from './payment.webservice.js';
