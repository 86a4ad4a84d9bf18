/**
 * Webhooks: a shop's endpoints (URL, subscribed events, a signing secret Kopek generates), the events
 * raised by payment and refund state changes, their signed JSON deliveries with ResultURL's retry
 * schedule, and every attempt. Owns the webhook_* tables and the 'webhooks.deliver' queue. Imports no
 * payments code: the payments module calls enqueueWebhookEvents from recordPaymentEvent, inside the
 * transaction of each state change, so the dependency points one way (payments → webhooks).
 */
export {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  MAX_WEBHOOK_ENDPOINTS_PER_SHOP,
  PREVIOUS_SECRET_GRACE_MS,
  revealWebhookSecret,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookActor,
  type WebhookEndpointChanges,
  type WebhookEndpointInput,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
  type WebhookScope,
} from './webhook.endpoints.js';
export {
  DEFAULT_DELIVERIES_PAGE_SIZE,
  listWebhookDeliveries,
  MAX_DELIVERIES_PAGE_SIZE,
  resendWebhookDelivery,
  type WebhookAttemptView,
  type WebhookDeliveryView,
} from './webhook.deliveries.js';
export { webhookErrors } from './webhook.errors.js';
export {
  enqueueShopWebhookEvent,
  enqueueWebhookEvents,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_QUEUE,
  type ShopWebhookEvent,
  type WebhookEventType,
} from './webhook.events.js';
export {
  createWebhookDeliveryHandler,
  WEBHOOK_USER_AGENT,
  type WebhookDeliveryOptions,
} from './webhook.jobs.js';
export {
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  WEBHOOK_SECRET_PREFIX,
} from './webhook.signature.js';
