/**
 * Messages: everything the platform tells an account, kept as its inbox (read state per person, search,
 * categories), and the e-mail copies, sent according to each person's subscriptions, with a one-click
 * unsubscribe (RFC 8058) in every mail that can be turned off. Other modules call postMessage (or one of
 * the notify* helpers) inside their own transaction; it is the one place that decides who gets mail.
 * The daily payment digest is a worker task of this module.
 */
export {
  canSeeCategory,
  defaultDelivery,
  deliveryChoices,
  DELIVERIES,
  isMessageCategory,
  MESSAGE_CATEGORIES,
  visibleCategories,
  type Delivery,
  type MessageCategory,
} from './message.categories.js';
export {
  notifyPaymentPaid,
  notifyPayoutOutcome,
  notifyRefund,
  type PaidPayment,
  type PayoutOutcomeNotice,
  type RefundNotice,
} from './message.events.js';
export { registerMessageRoutes } from './message.routes.js';
export { postMessage, type MessageDeps, type NewMessage, type PostedMessage } from './message.service.js';
export {
  PAYMENT_DIGEST_GRACE_MS,
  PAYMENT_DIGEST_INTERVAL_MS,
  runPaymentDigests,
  type DigestRunSummary,
} from './payment-digest.js';
export { registerUnsubscribeRoutes } from './unsubscribe.routes.js';
export { createUnsubscribeToken, readUnsubscribeToken } from './unsubscribe.token.js';
