/**
 * Table types for Kysely, one interface per table, grouped by the module that owns them.
 * Keep in step with src/migrations. int8 columns arrive as bigint, timestamptz as Date.
 */
import type { ColumnType, Generated, Selectable } from 'kysely';

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
  /** The worker that claimed it last (migration 0027). */
  locked_by: string | null;
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
/** The operator's people only (migration 0030). */
export type StaffRole = 'administrator' | 'moderator' | 'support' | 'finance';
export type UserStatus = 'invited' | 'active' | 'disabled';
export type EmailLinkPurpose = 'confirm_registration' | 'reset_password' | 'accept_invitation';

export interface PromoCodesTable {
  code: string;
  description: string;
  fee_discount_percent: number;
  discount_days: number;
  valid_until: Timestamp | null;
  created_at: Timestamp;
  /** Accounts that may register with the code; null: no limit (0033). */
  usage_limit: Generated<number | null>;
  deactivated_at: Generated<Timestamp | null>;
  created_by: Generated<string | null>;
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
  staff_role: Generated<StaffRole | null>;
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
  /** Recurring and saved-card payments, switched on by an operator (0018). */
  is_recurring_allowed: boolean;
  /** The buyer pays the fee on top of OutSum; the merchant's choice (0020). */
  is_buyer_fee: boolean;
  /** Holds (StepByStep), switched on by an operator (0020). */
  is_hold_allowed: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: Timestamp | null;
  reviewed_at: Timestamp | null;
}

// payments
export type PaymentStatus =
  | 'created'
  | 'processing'
  | 'awaiting_3ds'
  | 'paid'
  | 'failed'
  | 'expired'
  /** StepByStep: the amount is reserved on the card until the shop confirms or cancels (payment_holds). */
  | 'held'
  /** StepByStep: the hold ended without a capture (cancelled, expired, or gone at the acquirer). */
  | 'released';
export type CardAttemptStatus = 'processing' | 'challenge' | 'approved' | 'declined' | 'unknown';

export interface PaymentsTable {
  id: string;
  shop_id: string;
  account_id: string;
  inv_id: bigint;
  is_inv_id_assigned: boolean;
  is_test: boolean;
  /** StepByStep=true: the card is authorized (a hold), charged only when the shop confirms. */
  is_step_by_step: Generated<boolean>;
  status: PaymentStatus;
  out_sum_text: string;
  amount_minor: bigint;
  currency: 'RUB' | 'KZT' | 'USD' | 'EUR';
  fee_minor: Generated<bigint>;
  description: string;
  email: string | null;
  culture: 'ru' | 'en' | null;
  inc_curr_label: string | null;
  payment_method: string | null;
  /** [name, value] pairs of Shp_* parameters, in the order received. */
  shp: ColumnType<[string, string][], string, string>;
  receipt: string | null;
  /** The Receipt as read at the start (protocol.receiptToStoredJson), or null without one (0021). */
  receipt_parsed: ColumnType<unknown, string | null | undefined, string | null>;
  /** IsWithoutFreeSale=true: no free-sale receipt when no Receipt came (0021). */
  is_without_free_sale: Generated<boolean>;
  /** A safe deal's payment: paid into the platform's escrow, not the shop's pending account (0019). */
  is_escrow: Generated<boolean>;
  /** The part of fee_minor the buyer paid on top of amount_minor; null: the shop paid it all (0020). */
  buyer_fee_minor: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  user_ip: string | null;
  out_sum_currency: string | null;
  result_url2: string | null;
  success_url2: string | null;
  success_url2_method: HttpMethod | null;
  fail_url2: string | null;
  fail_url2_method: HttpMethod | null;
  expires_at: Timestamp | null;
  op_key: string | null;
  card_mask: string | null;
  /** Recurring=true: the parent of a recurring chain (0018). */
  is_recurring: Generated<boolean>;
  /** A child charge of /Merchant/Recurring: the payment of PreviousInvoiceID (0018). */
  previous_payment_id: Generated<string | null>;
  /** A saved-card (CoF) payment: the earlier operation whose OpKey came as Token (0018). */
  cof_payment_id: Generated<string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  paid_at: Timestamp | null;
}

export interface PaymentEventsTable {
  id: Generated<bigint>;
  payment_id: string;
  kind: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
}

export interface CardVaultTable {
  token: string;
  pan_sealed: string;
  first6: string;
  last4: string;
  brand: string;
  expiry_month: number;
  expiry_year: number;
  created_at: Timestamp;
}

export interface CardAttemptsTable {
  id: string;
  payment_id: string;
  submission_key: string;
  amount_minor: bigint;
  status: CardAttemptStatus;
  card_token: string;
  card_mask: string;
  acquirer_reference: string | null;
  decline_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

// payment methods (0032): per-shop switches, attempts with a method's provider, callbacks, sandbox side
export type MethodAttemptStatus = 'starting' | 'pending' | 'paid' | 'declined' | 'expired';

export interface ShopPaymentMethodsTable {
  shop_id: string;
  method_label: string;
  is_enabled: boolean;
  changed_by: string | null;
  changed_at: Timestamp;
}

// provider settings (0040): a method provider switched off or on by the operator; no row: on
export interface ProviderSettingsTable {
  provider: string;
  is_enabled: boolean;
  reason: string;
  changed_by: string | null;
  changed_at: Timestamp;
}

export interface MethodAttemptsTable {
  id: string;
  payment_id: string;
  method_label: string;
  kind: string;
  provider: string;
  provider_reference: string | null;
  status: MethodAttemptStatus;
  amount_minor: bigint;
  received_minor: Generated<bigint>;
  overpaid_minor: Generated<bigint>;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  decline_reason: string | null;
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface ProviderCallbacksTable {
  id: Generated<bigint>;
  provider: string;
  event_id: string;
  attempt_id: string | null;
  outcome: string;
  payload: ColumnType<unknown, string, string>;
  received_at: Timestamp;
}

export interface SandboxMethodOperationsTable {
  provider: string;
  reference: string;
  kind: string;
  amount_minor: bigint;
  received_minor: Generated<bigint>;
  status: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SandboxSmsTable {
  id: Generated<bigint>;
  phone: string;
  sender: string;
  body: string;
  created_at: Timestamp;
}

export interface SandboxAcquirerOperationsTable {
  reference: string;
  amount_minor: bigint;
  currency: string;
  card_last4: string;
  scenario: string;
  status: 'approved' | 'declined' | 'challenge' | 'no_answer';
  challenge_failures: Generated<number>;
  decline_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  is_capture_deferred: Generated<boolean>;
  captured_minor: bigint | null;
  capture_key: string | null;
  captured_at: Timestamp | null;
  voided_at: Timestamp | null;
}

// notifications
export type NotificationStatus = 'pending' | 'delivered' | 'failed';

export interface NotificationsTable {
  id: string;
  account_id: string;
  subject_id: string;
  kind: string;
  url: string;
  method: HttpMethod;
  fields: ColumnType<[string, string][], string, string>;
  /** null: any 2xx answer acknowledges (ResultUrl2). */
  expected_body: string | null;
  /** Sent as the whole POST body instead of the fields (a JWS for ResultUrl2), with its content type. */
  body: string | null;
  content_type: string | null;
  /** null: the retry schedule's window alone ends the attempts. */
  max_attempts: number | null;
  status: NotificationStatus;
  attempt_count: Generated<number>;
  next_attempt_at: Timestamp | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

export interface NotificationAttemptsTable {
  id: Generated<bigint>;
  notification_id: string;
  started_at: Timestamp;
  duration_ms: number;
  request_line: string;
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  is_success: boolean;
}

// ledger
export type LedgerPurpose =
  | 'pending'
  | 'available'
  | 'on_hold'
  | 'in_payout'
  | 'acquirer_clearing'
  | 'fee_revenue'
  | 'refunds'
  | 'escrow'
  | 'overpayments';

export interface LedgerAccountsTable {
  id: string;
  owner_kind: 'shop' | 'platform';
  owner_id: string | null;
  purpose: LedgerPurpose;
  currency: 'RUB' | 'KZT' | 'USD' | 'EUR';
  created_at: Timestamp;
}

export interface LedgerTransfersTable {
  id: string;
  idempotency_key: string;
  kind: string;
  reference: string | null;
  currency: 'RUB' | 'KZT' | 'USD' | 'EUR';
  created_at: Timestamp;
}

export interface LedgerEntriesTable {
  id: Generated<bigint>;
  transfer_id: string;
  account_id: string;
  amount_minor: bigint;
  currency: 'RUB' | 'KZT' | 'USD' | 'EUR';
  created_at: Timestamp;
}

export interface TariffsTable {
  id: string;
  shop_id: string | null;
  method_group: string;
  percent_basis_points: number;
  fixed_minor: bigint;
  minimum_minor: bigint;
  created_at: Timestamp;
  /** The schedule (0033): the row applies from this moment until the next row of its scope. */
  effective_from: Timestamp;
  created_by: Generated<string | null>;
  cancelled_at: Generated<Timestamp | null>;
  cancelled_by: Generated<string | null>;
  accounts_notified: Generated<number>;
  notified_at: Generated<Timestamp | null>;
}

// refunds
export type RefundStatus = 'processing' | 'finished' | 'canceled';
export type RefundSource = 'cabinet' | 'refund_api';

export interface RefundsTable {
  id: string;
  payment_id: string;
  shop_id: string;
  account_id: string;
  amount_minor: bigint;
  currency: 'RUB' | 'KZT' | 'USD' | 'EUR';
  status: RefundStatus;
  source: RefundSource;
  /** A UUID: the Refund API's requestId. */
  request_id: string;
  requested_by: string | null;
  /** InvoiceItems as received (JSON), or null. */
  items: ColumnType<unknown, string | null, string | null>;
  created_at: Timestamp;
  finished_at: Timestamp | null;
  /** The method provider's id of the refund, for a payment made with a method other than a card (0032). */
  provider_reference: Generated<string | null>;
}

// demo-store
export interface DemoStoreOrdersTable {
  id: Generated<bigint>;
  product: string;
  out_sum: string;
  status: 'new' | 'paid';
  created_at: Timestamp;
  paid_at: Timestamp | null;
  payment_method: string | null;
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
  payments: PaymentsTable;
  payment_events: PaymentEventsTable;
  card_vault: CardVaultTable;
  card_attempts: CardAttemptsTable;
  sandbox_acquirer_operations: SandboxAcquirerOperationsTable;
  shop_payment_methods: ShopPaymentMethodsTable;
  provider_settings: ProviderSettingsTable;
  method_attempts: MethodAttemptsTable;
  provider_callbacks: ProviderCallbacksTable;
  sandbox_method_operations: SandboxMethodOperationsTable;
  sandbox_sms: SandboxSmsTable;
  notifications: NotificationsTable;
  notification_attempts: NotificationAttemptsTable;
  demo_store_orders: DemoStoreOrdersTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_entries: LedgerEntriesTable;
  tariffs: TariffsTable;
  refunds: RefundsTable;
}

/** Rows as read (Generated and ColumnType resolved to their selected types). */
export type PaymentRow = Selectable<PaymentsTable>;
export type CardAttemptRow = Selectable<CardAttemptsTable>;
export type RefundRow = Selectable<RefundsTable>;
