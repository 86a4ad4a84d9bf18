/**
 * Table types for Kysely, one interface per table, grouped by the module that owns them.
 * Keep in step with src/migrations. int8 columns arrive as bigint, timestamptz as Date.
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = Date;

// platform
export interface JobsTable {
  id: Generated<bigint>;
  queue: string;
  payload: unknown;
  state: Generated<'pending' | 'running' | 'done' | 'failed'>;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface MailMessagesTable {
  id: Generated<bigint>;
  account_id: string | null;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: 'queued' | 'sent';
  transport: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<bigint>;
  account_id: string | null;
  actor_user_id: string | null;
  action: string;
  target: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  ip: string | null;
  created_at: Timestamp;
}

// accounts
export type AccountStatus = 'awaiting_confirmation' | 'active' | 'blocked';
export type Role = 'administrator' | 'accountant' | 'developer' | 'viewer' | 'operator';
export type UserStatus = 'invited' | 'active' | 'disabled';
export type EmailLinkPurpose = 'confirm_registration' | 'reset_password' | 'accept_invitation';

export interface PromoCodesTable {
  code: string;
  description: string;
  fee_discount_percent: number;
  discount_days: number;
  valid_until: Timestamp | null;
  created_at: Timestamp;
}

export interface AccountsTable {
  id: string;
  login: string;
  country: 'RU' | 'KZ';
  currency: 'RUB' | 'KZT' | 'USD' | 'EUR';
  document_flow: 'edo' | 'paper';
  legal_form: 'legal_entity' | 'sole_proprietor' | 'individual';
  status: AccountStatus;
  promo_code: string | null;
  language: 'ru' | 'en';
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
}

export interface UsersTable {
  id: string;
  account_id: string | null;
  login: string;
  email: string;
  role: Role;
  status: UserStatus;
  password_hash: string | null;
  language: 'ru' | 'en';
  failed_sign_ins: Generated<number>;
  locked_until: Timestamp | null;
  totp_secret_sealed: string | null;
  totp_enabled_at: Timestamp | null;
  totp_last_step: bigint | null;
  created_at: Timestamp;
  password_changed_at: Timestamp | null;
}

export interface RecoveryCodesTable {
  user_id: string;
  code_hash: string;
  used_at: Timestamp | null;
}

export interface EmailLinksTable {
  token_hash: string;
  user_id: string;
  purpose: EmailLinkPurpose;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

// shops
export type ShopStatus = 'test' | 'moderation' | 'active' | 'rejected';
export type HashAlgorithm = 'MD5' | 'RIPEMD160' | 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
export type HttpMethod = 'GET' | 'POST';

export interface ShopsTable {
  id: string;
  account_id: string;
  name: string;
  site_url: string;
  description: string;
  merchant_login: string;
  status: ShopStatus;
  rejection_reason: string | null;
  hash_algorithm: HashAlgorithm;
  password1_sealed: string;
  password2_sealed: string;
  password3_sealed: string;
  test_password1_sealed: string;
  test_password2_sealed: string;
  result_url: string | null;
  result_method: HttpMethod;
  success_url: string | null;
  success_method: HttpMethod;
  fail_url: string | null;
  fail_method: HttpMethod;
  created_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: Timestamp | null;
  reviewed_at: Timestamp | null;
}

export interface Database {
  jobs: JobsTable;
  mail_messages: MailMessagesTable;
  audit_log: AuditLogTable;
  promo_codes: PromoCodesTable;
  accounts: AccountsTable;
  users: UsersTable;
  recovery_codes: RecoveryCodesTable;
  email_links: EmailLinksTable;
  sessions: SessionsTable;
  shops: ShopsTable;
}
