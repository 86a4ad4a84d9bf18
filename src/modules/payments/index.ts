/**
 * Payments: a payment's life from Robokassa's payment request to money received: creation with InvId
 * rules, card attempts through the acquirer (3-D Secure, unknown outcomes reconciled), holds (StepByStep:
 * authorize, then Confirm / Cancel / automatic release), recurring charges (/Merchant/Recurring, charged
 * by a job on the card the parent saved) and saved-card (CoF) payments, the timeline, and what being paid
 * causes (ResultURL and ResultUrl2 notifications, buyer e-mail). Buyer pages live in `checkout`.
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
export { registerAttemptReviewRoutes } from './attempt-review.routes.js';
export { registerOperationRoutes } from './operation.routes.js';
export { getOperation, listOperations, readOperationRows } from './operation.queries.js';
export { decodeOperationCursor } from './operation.filter.js';
export {
  createOperationExportHandler,
  deleteExpiredExports,
  OPERATION_EXPORT_QUEUE,
} from './operation.export.js';
export { recordPaymentEvent, type PaymentEventKind } from './payment.events.js';
export { createInvoicePayment, type InvoicePaymentRequest } from './invoice-payment.js';
export { startPayment, type SignatureDebug, type StartOutcome } from './payment-start.service.js';
export { registerWebServiceRoutes } from './payment.webservice.js';
export {
  cancelHold,
  confirmHold,
  createHoldReconcileHandler,
  HOLD_EXPIRY_INTERVAL_MS,
  HOLD_RECONCILE_QUEUE,
  releaseExpiredHolds,
  type HoldActionOutcome,
  type HoldExpiryRunResult,
  type HoldTarget,
} from './hold.service.js';
export { registerHoldRoutes } from './hold.routes.js';
export { findCofCard, payByCofCard, type CofCard } from './cof.service.js';
export { registerRecurringBackofficeRoutes, registerRecurringRoutes } from './recurring.routes.js';
export { createRecurringChargeHandler, RECURRING_CHARGE_QUEUE } from './recurring.jobs.js';
export {
  closeOpenMethodAttempt,
  expireMethodAttempts,
  findLatestMethodAttempt,
  findOpenMethodAttempt,
  instructionsOf,
  METHOD_EXPIRY_INTERVAL_MS,
  startMethodAttempt,
  type MethodAttemptRow,
  type MethodStartRefusal,
  type MethodStartResult,
} from './method-attempt.service.js';
export {
  createSandboxCallbackHandler,
  receiveMethodCallback,
  registerMethodCallbackRoutes,
  SANDBOX_CALLBACK_QUEUE,
} from './method-callback.js';
export { quoteBuyerFee } from './buyer-fee.js';
