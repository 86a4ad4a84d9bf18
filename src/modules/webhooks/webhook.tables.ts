/**
 * Table types of the webhooks module (migration 0014_webhooks.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as payouts does: no other module reads these tables.
 * (Type aliases, not interfaces: withTables wants types with index signatures.)
 */
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../schema.js';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export type WebhookEndpointsTable = {
  id: string;
  shop_id: string;
  account_id: string;
  url: string;
  events: string[];
  description: string;
  is_enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
};

export type WebhookEventsTable = {
  id: string;
  shop_id: string;
  account_id: string;
  type: string;
  subject_id: string;
  body: string;
  created_at: Date;
};

export type WebhookDeliveriesTable = {
  id: string;
  event_id: string;
  endpoint_id: string;
  shop_id: string;
  account_id: string;
  status: WebhookDeliveryStatus;
  attempt_count: Generated<number>;
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
};

export type WebhookAttemptsTable = {
  id: Generated<bigint>;
  delivery_id: string;
  started_at: Date;
  duration_ms: number;
  request_line: string;
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  is_success: boolean;
};

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;

export type WebhookTables = {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
};
export type WebhookDatabase = Database & WebhookTables;

export function withWebhookTables(db: Kysely<Database>): Kysely<WebhookDatabase> {
  return db.withTables<WebhookTables>();
}

export function withWebhookTablesInTransaction(trx: Transaction<Database>): Transaction<WebhookDatabase> {
  return trx.withTables<WebhookTables>();
}
