/**
 * Notifications: reliable, visible delivery of notifications to merchants' servers (Robokassa's
 * ResultURL call, and ResultUrl2 as a JWS signed with Kopek's own key, published as JWKS). Owns the
 * `notifications`, `notification_attempts` and `notification_signing_keys` tables and the
 * 'notifications.deliver' job queue. Imports no other domain module: callers pass in what to send.
 */
export { notificationErrors } from './notification.errors.js';
export {
  createNotificationDeliveryHandler,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type NotificationDeliveryOptions,
} from './notification.jobs.js';
export { MAX_RESPONSE_BYTES, USER_AGENT } from './notification.http.js';
export {
  performDeliveryAttempt,
  resolveHostAddresses,
  type AttemptOutcome,
  type DeliverySettings,
} from './notification.http.js';
export { nextAttemptAt, RETRY_DELAYS_MS, RETRY_WINDOW_MS } from './notification.schedule.js';
export {
  enqueueSignedNotification,
  JWKS_PATH,
  JWS_CONTENT_TYPE,
  NOTIFICATION_SIGNING_ALGORITHM,
  readPublicKeySet,
  registerSigningKeyRoutes,
  signNotificationPayload,
  type NewSignedNotification,
  type SigningContext,
} from './notification.signing.js';
export {
  enqueueNotification,
  isSubjectNotified,
  listNotificationStatuses,
  listNotificationsForSubject,
  NOTIFICATION_QUEUE,
  resendNotification,
  type NewNotification,
  type NotificationAttemptView,
  type NotificationKind,
  type NotificationView,
} from './notification.service.js';
