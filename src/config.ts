/**
 * Configuration: reads the environment once, validates it and returns a frozen Config.
 * A bad value stops the boot with a message naming the variable and what is expected.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type NodeEnvironment = 'production' | 'development' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly nodeEnv: NodeEnvironment;
  readonly isProduction: boolean;
  readonly port: number;
  readonly host: string;
  readonly publicUrl: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly masterKey: Buffer;
  readonly logLevel: LogLevel;
  /** Business days (Mon-Fri, Moscow) from the day a live payment is paid to its settlement; 0 settles at once. */
  readonly settlementBusinessDays: number;
  /** Days after which an unconfirmed hold (StepByStep) is released automatically. */
  readonly holdReleaseDays: number;
  /** Days from a safe deal's payment to its automatic release, when the merchant names none. */
  readonly dealDeadlineDays: number;
  /** The smallest payout in minor units (every currency has 2 decimals); a shop may set a higher one. */
  readonly payoutMinimumMinor: bigint;
  /** Payouts above this (minor units, any currency) wait for the operator's finance to approve them. */
  readonly payoutApprovalThresholdMinor: bigint;
  /** The deadline of one call to a fiscal provider (ATOL Online), answer included. */
  readonly fiscalTimeoutMs: number;
  /** The ATOL-protocol sandbox at /atol-sandbox (never in production). */
  readonly isAtolSandboxEnabled: boolean;
  /**
   * How long a buyer's attempt with a method stays open, per method kind, in minutes: the SBP QR code
   * (KOPEK_SBP_QR_TTL_MINUTES, 10), the wallet and internet-bank confirmation (KOPEK_WALLET_TTL_MINUTES,
   * KOPEK_BANK_TTL_MINUTES, 30 and 60), the terminal payment code (KOPEK_TERMINAL_CODE_TTL_HOURS, 72 hours),
   * the mobile app (KOPEK_APP_TTL_MINUTES, 10) and the phone operator's SMS code (KOPEK_PHONE_TTL_MINUTES, 10).
   */
  readonly methodAttemptTtlMinutes: MethodAttemptTtlMinutes;
  /**
   * What a cash terminal does with cash beyond what a payment owes (KOPEK_CASH_OVERPAYMENT): 'phone'
   * credits the change to the buyer's phone balance, 'keep' (default) keeps it as a recorded overpayment.
   */
  readonly cashOverpayment: CashOverpaymentRule;
  /**
   * How long the sandbox internet bank takes to execute a payment order after the buyer signs it
   * (KOPEK_SANDBOX_BANK_DELAY_SECONDS, default 60; 0 executes it at once). Meanwhile the checkout shows
   * the payment pending, as a real bank's "processing" is shown.
   */
  readonly sandboxBankDelaySeconds: number;
  /** Failed signature / API-key checks allowed per client address in a sliding window. */
  readonly credentialFailureRule: { readonly limit: number; readonly windowMs: number };
  readonly warnings: readonly string[];
}

export interface MethodAttemptTtlMinutes {
  readonly sbp: number;
  readonly e_wallet: number;
  readonly internet_bank: number;
  readonly cash_terminal: number;
  readonly mobile_app: number;
  readonly phone_balance: number;
}

export type CashOverpaymentRule = 'phone' | 'keep';

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Configuration error in ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readNodeEnvironment(value: string | undefined): NodeEnvironment {
  if (value === undefined || value === '') return 'development';
  if (value === 'production' || value === 'development' || value === 'test') return value;
  throw new ConfigError('NODE_ENV', `expected production, development or test, got "${value}"`);
}

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new ConfigError('PORT', `expected a whole number from 1 to 65535, got "${value}"`);
  }
  return port;
}

function readUrl(variable: string, value: string, allowed: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, `expected a URL, got "${value}"`);
  }
  if (!allowed.includes(url.protocol)) {
    throw new ConfigError(variable, `expected a ${allowed.join(' or ')} URL, got "${url.protocol}"`);
  }
  return value;
}

function readLogLevel(value: string | undefined, nodeEnv: NodeEnvironment): LogLevel {
  if (value === undefined || value === '') return nodeEnv === 'test' ? 'silent' : 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
}

function readSettlementBusinessDays(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  if (!/^\d{1,2}$/.test(value) || Number(value) > 10) {
    throw new ConfigError(
      'KOPEK_SETTLEMENT_BUSINESS_DAYS',
      `expected a whole number from 0 to 10, got "${value}"`,
    );
  }
  return Number(value);
}

/** The largest installation minimum accepted: 1,000,000.00. */
const MAX_PAYOUT_MINIMUM_MINOR = 100_000_000n;

/**
 * KOPEK_PAYOUT_MINIMUM: a decimal in the currency's main unit ("100", "100.00", "250.50"), applied to
 * every currency (all have 2 decimals). Default 100.00: small enough for any shop, large enough that
 * payouts are not sent for kopecks.
 */
function readPayoutMinimum(value: string | undefined): bigint {
  if (value === undefined || value === '') return 10_000n;
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(value);
  const minor = match ? BigInt(match[1] ?? '0') * 100n + BigInt((match[2] ?? '').padEnd(2, '0')) : 0n;
  if (minor < 1n || minor > MAX_PAYOUT_MINIMUM_MINOR) {
    throw new ConfigError(
      'KOPEK_PAYOUT_MINIMUM',
      `expected an amount from 0.01 to 1000000.00 with a dot and at most two decimals, got "${value}"`,
    );
  }
  return minor;
}

/**
 * KOPEK_PAYOUT_APPROVAL_THRESHOLD: a decimal in the currency's main unit; a payout above it waits for the
 * operator's finance (back-office) to approve it. Default 100000.00; "0" sends every payout for approval.
 */
function readPayoutApprovalThreshold(value: string | undefined): bigint {
  if (value === undefined || value === '') return 10_000_000n;
  const match = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match)
    throw new ConfigError(
      'KOPEK_PAYOUT_APPROVAL_THRESHOLD',
      `expected an amount such as 100000 or 100000.00 (a dot, at most two decimals), got "${value}"`,
    );
  return BigInt(match[1] ?? '0') * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

/**
 * KOPEK_HOLD_RELEASE_DAYS: Robokassa keeps a hold at most 7 days (the default); card networks allow up
 * to about 30 for some merchants, so that is the ceiling.
 */
function readHoldReleaseDays(value: string | undefined): number {
  if (value === undefined || value === '') return 7;
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > 30) {
    throw new ConfigError('KOPEK_HOLD_RELEASE_DAYS', `expected a whole number from 1 to 30, got "${value}"`);
  }
  return Number(value);
}

function readWholeNumber(variable: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new ConfigError(variable, `expected a whole number from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}

function readMethodAttemptTtl(environment: Record<string, string | undefined>): MethodAttemptTtlMinutes {
  const DAY = 24 * 60;
  return Object.freeze({
    sbp: readWholeNumber('KOPEK_SBP_QR_TTL_MINUTES', environment.KOPEK_SBP_QR_TTL_MINUTES, 10, DAY),
    e_wallet: readWholeNumber('KOPEK_WALLET_TTL_MINUTES', environment.KOPEK_WALLET_TTL_MINUTES, 30, DAY),
    internet_bank: readWholeNumber('KOPEK_BANK_TTL_MINUTES', environment.KOPEK_BANK_TTL_MINUTES, 60, DAY),
    cash_terminal:
      60 *
      readWholeNumber('KOPEK_TERMINAL_CODE_TTL_HOURS', environment.KOPEK_TERMINAL_CODE_TTL_HOURS, 72, 720),
    mobile_app: readWholeNumber('KOPEK_APP_TTL_MINUTES', environment.KOPEK_APP_TTL_MINUTES, 10, DAY),
    phone_balance: readWholeNumber('KOPEK_PHONE_TTL_MINUTES', environment.KOPEK_PHONE_TTL_MINUTES, 10, DAY),
  });
}

function readCashOverpayment(value: string | undefined): CashOverpaymentRule {
  if (value === undefined || value === '') return 'keep';
  if (value !== 'phone' && value !== 'keep')
    throw new ConfigError('KOPEK_CASH_OVERPAYMENT', `expected "phone" or "keep", got "${value}"`);
  return value;
}

/** KOPEK_SANDBOX_BANK_DELAY_SECONDS: a minute by default, 0 for at once, at most a day. */
function readSandboxBankDelaySeconds(value: string | undefined): number {
  if (value === undefined || value === '') return 60;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 86_400)
    throw new ConfigError(
      'KOPEK_SANDBOX_BANK_DELAY_SECONDS',
      `expected a whole number of seconds from 0 to 86400, got "${value}"`,
    );
  return Number(value);
}

/** KOPEK_DEAL_DEADLINE_DAYS: two weeks by default, for delivery by post; at most 180 days. */
function readDealDeadlineDays(value: string | undefined): number {
  if (value === undefined || value === '') return 14;
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 180) {
    throw new ConfigError(
      'KOPEK_DEAL_DEADLINE_DAYS',
      `expected a whole number from 1 to 180, got "${value}"`,
    );
  }
  return Number(value);
}

/** KOPEK_FISCAL_TIMEOUT_MS: 30 s by default, like acquirer calls; tests use a short one. */
function readFiscalTimeoutMs(value: string | undefined): number {
  if (value === undefined || value === '') return 30_000;
  if (!/^\d{1,6}$/.test(value) || Number(value) < 100 || Number(value) > 120_000) {
    throw new ConfigError(
      'KOPEK_FISCAL_TIMEOUT_MS',
      `expected milliseconds from 100 to 120000, got "${value}"`,
    );
  }
  return Number(value);
}

/** KOPEK_ATOL_SANDBOX: on outside production unless "0"; a sandbox must never answer in production. */
function readAtolSandbox(value: string | undefined, nodeEnv: NodeEnvironment): boolean {
  if (value === undefined || value === '') return nodeEnv !== 'production';
  if (value !== '0' && value !== '1')
    throw new ConfigError('KOPEK_ATOL_SANDBOX', `expected 0 or 1, got "${value}"`);
  if (value === '1' && nodeEnv === 'production')
    throw new ConfigError('KOPEK_ATOL_SANDBOX', 'the ATOL sandbox cannot run when NODE_ENV=production');
  return value === '1';
}

/**
 * KOPEK_SIGNATURE_FAILURE_LIMIT (default 20) and KOPEK_SIGNATURE_FAILURE_WINDOW_SECONDS (default 600):
 * how many wrong signatures or unknown API keys one address may send in the sliding window before its
 * requests are refused. Twenty is far above what a misconfigured integration needs to notice its mistake
 * and far below what guessing a password needs.
 */
function readCredentialFailureRule(limit: string | undefined, windowSeconds: string | undefined) {
  const read = (variable: string, value: string | undefined, fallback: number, max: number) => {
    if (value === undefined || value === '') return fallback;
    if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > max)
      throw new ConfigError(variable, `expected a whole number from 1 to ${max}, got "${value}"`);
    return Number(value);
  };
  return Object.freeze({
    limit: read('KOPEK_SIGNATURE_FAILURE_LIMIT', limit, 20, 100_000),
    // At most a day: the counters' rows are deleted by the hourly housekeeping after one day.
    windowMs: read('KOPEK_SIGNATURE_FAILURE_WINDOW_SECONDS', windowSeconds, 600, 86_400) * 1000,
  });
}

function parseMasterKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new ConfigError('KOPEK_MASTER_KEY', 'expected 32 bytes as 64 hex digits or base64');
  }
  return key;
}

/**
 * In development the master key is generated once and kept in the data directory, so that encrypted
 * shop passwords survive restarts. Production must supply its own key: losing it loses those secrets.
 */
function readMasterKey(
  value: string | undefined,
  nodeEnv: NodeEnvironment,
  dataDir: string,
  warnings: string[],
): Buffer {
  if (value !== undefined && value !== '') return parseMasterKey(value);
  if (nodeEnv === 'production') {
    throw new ConfigError(
      'KOPEK_MASTER_KEY',
      'is required when NODE_ENV=production (generate: openssl rand -hex 32)',
    );
  }
  const keyFile = path.join(dataDir, 'master.key');
  if (!existsSync(keyFile)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  }
  warnings.push(
    `KOPEK_MASTER_KEY is not set: using the development key in ${keyFile}. Never do this in production.`,
  );
  return parseMasterKey(readFileSync(keyFile, 'utf8').trim());
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const warnings: string[] = [];
  const nodeEnv = readNodeEnvironment(environment.NODE_ENV);
  const port = readPort(environment.PORT);
  const dataDir = path.resolve(environment.KOPEK_DATA_DIR || 'data');
  const publicUrl = readUrl('PUBLIC_URL', environment.PUBLIC_URL || `http://localhost:${port}`, [
    'http:',
    'https:',
  ]);
  const databaseUrl = environment.DATABASE_URL
    ? readUrl('DATABASE_URL', environment.DATABASE_URL, ['postgres:', 'postgresql:'])
    : undefined;
  const smtpUrl = environment.SMTP_URL
    ? readUrl('SMTP_URL', environment.SMTP_URL, ['smtp:', 'smtps:'])
    : undefined;
  if (nodeEnv === 'production' && smtpUrl === undefined) {
    throw new ConfigError(
      'SMTP_URL',
      'is required when NODE_ENV=production: mail would otherwise never leave',
    );
  }
  return Object.freeze({
    nodeEnv,
    isProduction: nodeEnv === 'production',
    port,
    host: environment.HOST || '127.0.0.1',
    publicUrl: publicUrl.replace(/\/+$/, ''),
    databaseUrl,
    dataDir,
    smtpUrl,
    mailFrom: environment.MAIL_FROM || 'Kopek <no-reply@kopek.local>',
    masterKey: readMasterKey(environment.KOPEK_MASTER_KEY, nodeEnv, dataDir, warnings),
    logLevel: readLogLevel(environment.LOG_LEVEL, nodeEnv),
    settlementBusinessDays: readSettlementBusinessDays(environment.KOPEK_SETTLEMENT_BUSINESS_DAYS),
    holdReleaseDays: readHoldReleaseDays(environment.KOPEK_HOLD_RELEASE_DAYS),
    dealDeadlineDays: readDealDeadlineDays(environment.KOPEK_DEAL_DEADLINE_DAYS),
    payoutMinimumMinor: readPayoutMinimum(environment.KOPEK_PAYOUT_MINIMUM),
    payoutApprovalThresholdMinor: readPayoutApprovalThreshold(environment.KOPEK_PAYOUT_APPROVAL_THRESHOLD),
    fiscalTimeoutMs: readFiscalTimeoutMs(environment.KOPEK_FISCAL_TIMEOUT_MS),
    isAtolSandboxEnabled: readAtolSandbox(environment.KOPEK_ATOL_SANDBOX, nodeEnv),
    methodAttemptTtlMinutes: readMethodAttemptTtl(environment),
    cashOverpayment: readCashOverpayment(environment.KOPEK_CASH_OVERPAYMENT),
    sandboxBankDelaySeconds: readSandboxBankDelaySeconds(environment.KOPEK_SANDBOX_BANK_DELAY_SECONDS),
    credentialFailureRule: readCredentialFailureRule(
      environment.KOPEK_SIGNATURE_FAILURE_LIMIT,
      environment.KOPEK_SIGNATURE_FAILURE_WINDOW_SECONDS,
    ),
    warnings: Object.freeze(warnings),
  });
}
