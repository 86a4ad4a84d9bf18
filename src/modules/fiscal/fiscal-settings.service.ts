/**
 * A shop's fiscal settings: none, or the shop's own ATOL Online account. Read and replaced from the
 * cabinet, always scoped to the caller's account (another account's shop answers 404). The ATOL password
 * is sealed with the master key and never shown again; a change is audited with the names of the changed
 * fields only, never their values.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { SecretBox } from '../../platform/crypto.js';
import { validationError } from '../../platform/http/errors.js';
import type { Database } from '../../schema.js';
import type { MerchantActor } from '../accounts/index.js';
import { recordAudit } from '../audit/index.js';
import {
  checkFiscalSettings,
  DEFAULT_ATOL_BASE_URL,
  type FiscalSettingsInput,
  type StoredFiscalSettings,
} from './fiscal-settings.validation.js';
import { fiscalErrors } from './fiscal.errors.js';
import {
  describeFiscalError,
  FiscalProviderUnavailableError,
  type FiscalAccount,
} from './fiscal.provider.js';
import type { AtolOnlineClient } from './providers/atol-online.client.js';
import type { Sno } from './fiscal.receipt.js';
import type { FiscalCompany } from './providers/atol.document.js';
import { SANDBOX_PUBLIC_ACCOUNT, SANDBOX_PATH } from './providers/atol-sandbox.service.js';
import {
  withFiscalTables,
  withFiscalTablesInTransaction,
  type FiscalProviderKind,
  type FiscalSettingsRow,
  type FiscalTables,
} from './fiscal.tables.js';

export function fiscalSecretBox(masterKey: Buffer): SecretBox {
  return new SecretBox(masterKey, 'fiscal-credentials');
}

/** What the cabinet may fill in to try Kopek's ATOL sandbox (public test credentials, not secrets). */
export interface SandboxSuggestion {
  readonly baseUrl: string;
  readonly login: string;
  readonly password: string;
  readonly groupCode: string;
  readonly companyInn: string;
  readonly paymentAddress: string;
}

export interface FiscalSettingsView {
  readonly shopId: string;
  readonly provider: FiscalProviderKind;
  readonly baseUrl: string;
  readonly login: string | null;
  readonly hasPassword: boolean;
  readonly groupCode: string | null;
  readonly companyInn: string | null;
  readonly paymentAddress: string | null;
  readonly sno: Sno | null;
  readonly companyEmail: string | null;
  readonly updatedAt: string | null;
  /** Present where the sandbox is mounted (never in production). */
  readonly sandbox: SandboxSuggestion | null;
}

function toStored(row: FiscalSettingsRow | undefined): StoredFiscalSettings {
  return {
    baseUrl: row?.base_url ?? DEFAULT_ATOL_BASE_URL,
    login: row?.login ?? null,
    hasPassword: (row?.password_sealed ?? null) !== null,
    groupCode: row?.group_code ?? null,
    companyInn: row?.company_inn ?? null,
    paymentAddress: row?.payment_address ?? null,
    sno: (row?.sno ?? null) as Sno | null,
    companyEmail: row?.company_email ?? null,
  };
}

function sandboxSuggestion(deps: Deps): SandboxSuggestion | null {
  if (deps.config.isProduction || !deps.config.isAtolSandboxEnabled) return null;
  return {
    baseUrl: `${deps.config.publicUrl}${SANDBOX_PATH}/possystem/v5/`,
    login: SANDBOX_PUBLIC_ACCOUNT.login,
    password: SANDBOX_PUBLIC_ACCOUNT.password,
    groupCode: SANDBOX_PUBLIC_ACCOUNT.groupCode,
    companyInn: SANDBOX_PUBLIC_ACCOUNT.inn,
    paymentAddress: SANDBOX_PUBLIC_ACCOUNT.paymentAddress,
  };
}

function toView(deps: Deps, shopId: string, row: FiscalSettingsRow | undefined): FiscalSettingsView {
  return {
    shopId,
    provider: row?.provider ?? 'none',
    ...toStored(row),
    updatedAt: row?.updated_at.toISOString() ?? null,
    sandbox: sandboxSuggestion(deps),
  };
}

async function requireOwnShop(
  executor: Kysely<Database> | Transaction<Database>,
  accountId: string,
  shopId: string,
  lock: boolean,
): Promise<void> {
  let query = executor
    .selectFrom('shops')
    .select('id')
    .where('id', '=', shopId)
    .where('account_id', '=', accountId);
  if (lock) query = query.forUpdate();
  if (!(await query.executeTakeFirst())) throw fiscalErrors.shopNotFound();
}

export async function readFiscalSettings(
  deps: Deps,
  accountId: string,
  shopId: string,
): Promise<FiscalSettingsView> {
  await requireOwnShop(deps.db, accountId, shopId, false);
  const row = await withFiscalTables(deps.db)
    .selectFrom('fiscal_settings')
    .selectAll()
    .where('shop_id', '=', shopId)
    .executeTakeFirst();
  return toView(deps, shopId, row);
}

const AUDITED_FIELDS = {
  provider: 'provider',
  baseUrl: 'base_url',
  login: 'login',
  groupCode: 'group_code',
  companyInn: 'company_inn',
  paymentAddress: 'payment_address',
  sno: 'sno',
  companyEmail: 'company_email',
} as const;

/**
 * Validates, then replaces the settings under the shop's row lock (the lock shop settings changes take).
 * Answers the new view; audits the names of the fields that changed ('password' when a new one is set).
 */
export async function saveFiscalSettings(
  deps: Deps,
  actor: MerchantActor,
  shopId: string,
  input: FiscalSettingsInput,
  ip: string | null,
): Promise<FiscalSettingsView> {
  return deps.db.transaction().execute(async (trx) => {
    await requireOwnShop(trx, actor.accountId, shopId, true);
    const tables = withFiscalTablesInTransaction(trx);
    const previous = await tables
      .selectFrom('fiscal_settings')
      .selectAll()
      .where('shop_id', '=', shopId)
      .executeTakeFirst();
    const checked = checkFiscalSettings(input, toStored(previous), deps.config.isProduction);
    if (!checked.ok) throw validationError(checked.problems);
    const settings = checked.settings;
    const now = deps.clock.now();
    const row = {
      provider: settings.provider,
      base_url: settings.baseUrl,
      login: settings.login,
      password_sealed:
        settings.newPassword === undefined
          ? (previous?.password_sealed ?? null)
          : fiscalSecretBox(deps.config.masterKey).encrypt(settings.newPassword),
      group_code: settings.groupCode,
      company_inn: settings.companyInn,
      payment_address: settings.paymentAddress,
      sno: settings.sno,
      company_email: settings.companyEmail,
      updated_by: actor.userId,
      updated_at: now,
    };
    const saved = await tables
      .insertInto('fiscal_settings')
      .values({ shop_id: shopId, account_id: actor.accountId, ...row })
      .onConflict((conflict) => conflict.column('shop_id').doUpdateSet(row))
      .returningAll()
      .executeTakeFirstOrThrow();
    const changed = Object.entries(AUDITED_FIELDS)
      .filter(([, column]) => (previous?.[column] ?? null) !== saved[column])
      .map(([field]) => field);
    if (settings.newPassword !== undefined) changed.push('password');
    if (changed.length > 0)
      await recordAudit(trx, deps.clock, {
        accountId: actor.accountId,
        actorUserId: actor.userId,
        action: 'fiscal_settings.updated',
        target: shopId,
        details: { fields: changed },
        ip,
      });
    return toView(deps, shopId, saved);
  });
}

/** The seller's fields of the settings, or null when any is missing. */
export function companyOf(row: FiscalSettingsRow): FiscalCompany | null {
  if (
    row.company_inn === null ||
    row.sno === null ||
    row.payment_address === null ||
    row.company_email === null
  )
    return null;
  return {
    inn: row.company_inn,
    sno: row.sno as Sno,
    paymentAddress: row.payment_address,
    email: row.company_email,
  };
}

export function hasCompleteAccount(row: FiscalSettingsRow): boolean {
  return row.login !== null && row.password_sealed !== null && row.group_code !== null;
}

/**
 * The account to call, the password unsealed. A receipt passes its own base URL and group (where its
 * external id lives); the credentials are the shop's current ones.
 */
export function accountOf(
  row: FiscalSettingsRow,
  masterKey: Buffer,
  place: { readonly baseUrl: string; readonly groupCode: string },
): FiscalAccount | null {
  if (row.login === null || row.password_sealed === null) return null;
  const password = fiscalSecretBox(masterKey).decrypt(row.password_sealed);
  return { baseUrl: place.baseUrl, groupCode: place.groupCode, login: row.login, password };
}

export async function findFiscalSettingsRow(
  executor: Kysely<Database> | Transaction<Database>,
  shopId: string,
): Promise<FiscalSettingsRow | undefined> {
  return executor
    .withTables<FiscalTables>()
    .selectFrom('fiscal_settings')
    .selectAll()
    .where('shop_id', '=', shopId)
    .executeTakeFirst();
}

export interface ConnectionCheck {
  readonly ok: boolean;
  /** Why not: the service's refusal (`ATOL 12 (system): …`) or that it could not be reached. */
  readonly problem: string | null;
}

/**
 * "Check connection": asks the shop's service for a token with the stored login and password (one
 * getToken call, outside any transaction). A shop without an ATOL account answers 409.
 */
export async function checkFiscalConnection(
  deps: Deps,
  client: Pick<AtolOnlineClient, 'checkCredentials'>,
  accountId: string,
  shopId: string,
): Promise<ConnectionCheck> {
  await requireOwnShop(deps.db, accountId, shopId, false);
  const row = await findFiscalSettingsRow(deps.db, shopId);
  const account =
    row && row.provider === 'atol'
      ? accountOf(row, deps.config.masterKey, { baseUrl: row.base_url, groupCode: row.group_code ?? '' })
      : null;
  if (!account) throw fiscalErrors.fiscalisationOff();
  try {
    const answer = await client.checkCredentials(account);
    return answer.ok
      ? { ok: true, problem: null }
      : { ok: false, problem: describeFiscalError(answer.error) };
  } catch (error) {
    if (!(error instanceof FiscalProviderUnavailableError)) throw error;
    return { ok: false, problem: error.message };
  }
}
