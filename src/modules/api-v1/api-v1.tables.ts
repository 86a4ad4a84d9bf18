/**
 * Table types of the api-v1 module (migration 0011_api_v1.sql), added to the shared Database type only
 * inside this module through Kysely's withTables, as payouts and balances do: no other module reads them.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../schema.js';

export type ApiKeysTable = {
  id: string;
  shop_id: string;
  account_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

export type IdempotencyRecordsTable = {
  shop_id: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  /** Written as JSON text, read as the value (jsonb). */
  response_body: unknown;
  created_at: Date;
};

export type ApiKeyRow = Selectable<ApiKeysTable>;

export type ApiV1Tables = { api_keys: ApiKeysTable; idempotency_records: IdempotencyRecordsTable };
export type ApiV1Database = Database & ApiV1Tables;

export function withApiV1Tables(db: Kysely<Database>): Kysely<ApiV1Database> {
  return db.withTables<ApiV1Tables>();
}
