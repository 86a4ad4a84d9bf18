/**
 * Notifications: reliable, visible delivery of notifications to merchants' servers (for now Robokassa's
 * ResultURL call). Owns the `notifications` and `notification_attempts` tables and the
 * 'notifications.deliver' job queue. Imports no other domain module: callers pass in what to send.
 */
export { notificationErrors } from './notification.errors.js';
export {
  createNotificationDeliveryHandler,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  type NotificationDeliveryOptions,
} from './notification.jobs.js';
export { MAX_RESPONSE_BYTES, USER_AGENT } from './notification.http.js';
export { nextAttemptAt, RETRY_DELAYS_MS, RETRY_WINDOW_MS } from './notification.schedule.js';
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
