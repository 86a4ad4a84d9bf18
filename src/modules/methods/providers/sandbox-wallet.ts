/**
 * The e-wallet sandbox provider, modelled on YooMoney (ЮMoney) payments through its API: Kopek creates a
 * payment with a redirect confirmation; the buyer goes to the wallet's pages (sandbox-wallet.pages.ts),
 * signs in with a test account, sees the shop's purpose, the amount and the account's balance, and pays
 * or cancels; the wallet sends its signed notification and sends the buyer back to the return URL.
 *
 * Balances are real: an account's balance is its opening balance less its paid operations plus refunds,
 * all read from the wallet's own record (sandbox_method_operations), so paying twice can exhaust it and
 * an amount above the balance is declined for insufficient funds. A refund goes back to the account.
 *
 * Its vocabulary, like YooMoney's: pending (created, waiting for the buyer), waiting_for_capture (paid,
 * held for the shop to capture), succeeded, canceled (with cancellation_details.reason:
 * insufficient_funds, payment_method_restricted, canceled_by_user, expired_on_confirmation).
 */
import { createHmac } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { constantTimeEqual, createSecretToken } from '../../../platform/crypto.js';
import type { LocalizedText } from '../../../platform/i18n.js';
import { formatMinor, parseDecimalToMinor } from '../../../platform/money.js';
import type { Database } from '../../../schema.js';
import {
  createSandboxOperation,
  findSandboxOperation,
  hasSandboxOperationExpired,
  lockSandboxOperation,
  newSandboxReference,
  readSignedJsonCallback,
  refundSandboxOperation,
  returnUrlOf,
  sandboxSecret,
  sendSandboxCallback,
  statusFromTable,
  updateSandboxOperation,
  type SandboxOperation,
} from './sandbox-operations.js';
import type {
  CallbackReading,
  MethodEvent,
  MethodProvider,
  MethodRefundOutcome,
  MethodStartOutcome,
  MethodStartRequest,
  OurMethodStatus,
} from './method-provider.js';

export const SANDBOX_WALLET_PROVIDER = 'sandbox-wallet';
const PAYMENT_KIND = 'e_wallet';
const REFUND_KIND = 'e_wallet_refund';

type Executor = Kysely<Database> | Transaction<Database>;

/** A test account of the sandbox wallet: listed on its sign-in page. */
export interface WalletTestAccount {
  readonly number: string;
  readonly password: string;
  readonly openingMinor: bigint;
  /** A blocked account signs in but every payment from it is declined. */
  readonly isBlocked: boolean;
  readonly note: LocalizedText;
}

export const WALLET_TEST_ACCOUNTS: readonly WalletTestAccount[] = [
  {
    number: '4100100000000001',
    password: 'rich1234',
    openingMinor: 10_000_000n,
    isBlocked: false,
    note: { ru: 'богатый', en: 'rich' },
  },
  {
    number: '4100100000000002',
    password: 'poor1234',
    openingMinor: 5_000n,
    isBlocked: false,
    note: { ru: 'бедный', en: 'poor' },
  },
  {
    number: '4100100000000003',
    password: 'block1234',
    openingMinor: 10_000_000n,
    isBlocked: true,
    note: { ru: 'заблокирован: всегда отказ', en: 'blocked: always declines' },
  },
];

/** The payment a YooMoney-like API creates (our request, in its words). Amount in roubles as text. */
export interface WalletPaymentRequest {
  readonly amount: { readonly value: string; readonly currency: 'RUB' };
  readonly capture: true;
  readonly confirmation: { readonly type: 'redirect'; readonly return_url: string };
  readonly payment_method_data: { readonly type: 'yoo_money' };
  /** At most 128 characters: shown to the buyer in the wallet. */
  readonly description: string;
  readonly metadata: { readonly attemptId: string; readonly paymentId: string };
  readonly expires_at: string;
}

export function toWalletPaymentRequest(request: MethodStartRequest): WalletPaymentRequest {
  return {
    amount: { value: formatMinor(request.amountMinor, 'RUB'), currency: 'RUB' },
    capture: true,
    confirmation: { type: 'redirect', return_url: request.returnUrl },
    payment_method_data: { type: 'yoo_money' },
    description: request.description.slice(0, 128),
    metadata: { attemptId: request.attemptId, paymentId: request.paymentId },
    expires_at: request.expiresAt.toISOString(),
  };
}

const WALLET_STATUSES: Readonly<Record<string, OurMethodStatus>> = {
  pending: 'pending',
  // Paid but held for the shop's capture: not money received until captured.
  waiting_for_capture: 'pending',
  succeeded: 'paid',
  canceled: 'declined',
};

/**
 * The wallet's status in our terms; a cancellation because the buyer never confirmed in time is our
 * 'expired'. Anything else is 'unknown' and never counts as paid.
 */
export function walletStatusToOurs(status: string, cancellationReason?: string): OurMethodStatus {
  const ours = statusFromTable(WALLET_STATUSES, status);
  return ours === 'declined' && cancellationReason === 'expired_on_confirmation' ? 'expired' : ours;
}

export type WalletCancellationReason =
  'insufficient_funds' | 'payment_method_restricted' | 'canceled_by_user' | 'expired_on_confirmation';

const DECLINE_REASONS: Readonly<Record<string, string>> = {
  insufficient_funds: 'insufficient_funds',
  payment_method_restricted: 'account_blocked',
  canceled_by_user: 'buyer_cancelled',
  expired_on_confirmation: 'expired',
};

/** Why the wallet cancelled, as our decline reason (the checkout's words for it). */
export function walletDeclineReasonToOurs(reason: string | undefined): string {
  return reason !== undefined && Object.hasOwn(DECLINE_REASONS, reason)
    ? (DECLINE_REASONS[reason] as string)
    : 'wallet_declined';
}

/** The notification the sandbox wallet sends, shaped like YooMoney's, with an event id of its own. */
export interface WalletNotification {
  readonly type: 'notification';
  readonly eventId: string;
  readonly event: string;
  readonly object: {
    readonly id: string;
    readonly status: string;
    readonly paid: boolean;
    readonly amount: { readonly value: string; readonly currency: string };
    readonly payment_method?: { readonly type: 'yoo_money'; readonly account_number?: string };
    readonly cancellation_details?: { readonly party: string; readonly reason: string };
  };
}

/** "41001*******0001": the wallet's first five and last four digits, never the whole number. */
export function maskWalletNumber(number: string): string {
  return `${number.slice(0, 5)}${'*'.repeat(Math.max(0, number.length - 9))}${number.slice(-4)}`;
}

/** The wallet's part of a notification in our terms, or undefined when it is not the wallet's format. */
export function readWalletNotification(body: unknown): MethodEvent | undefined {
  const notification = body as Partial<WalletNotification>;
  const payment = notification.object;
  if (typeof notification.eventId !== 'string' || !payment || typeof payment !== 'object') return undefined;
  if (typeof payment.id !== 'string' || typeof payment.status !== 'string') return undefined;
  const value = payment.amount?.value;
  const amountMinor = typeof value === 'string' ? parseDecimalToMinor(value, 'RUB') : undefined;
  if (amountMinor === undefined) return undefined;
  const reason = payment.cancellation_details?.reason;
  const status = walletStatusToOurs(payment.status, reason);
  const account = payment.payment_method?.account_number;
  return {
    eventId: notification.eventId,
    reference: payment.id,
    status,
    providerStatus: payment.status,
    ...(status === 'paid' ? { receivedMinor: amountMinor } : {}),
    ...(typeof account === 'string' ? { maskedAccount: account } : {}),
    ...(status === 'declined' ? { declineReason: walletDeclineReasonToOurs(reason) } : {}),
  };
}

export class SandboxWalletProvider implements MethodProvider {
  readonly name = SANDBOX_WALLET_PROVIDER;
  readonly kinds = ['e_wallet'] as const;
  readonly isSandbox = true;
  private readonly secret: Buffer;

  constructor(
    private readonly options: {
      readonly db: Kysely<Database>;
      readonly clock: Clock;
      readonly masterKey: Buffer;
      readonly publicUrl: string;
    },
  ) {
    this.secret = sandboxSecret(options.masterKey, SANDBOX_WALLET_PROVIDER);
  }

  async start(request: MethodStartRequest): Promise<MethodStartOutcome> {
    const payment = toWalletPaymentRequest(request);
    const operation = await createSandboxOperation(this.options.db, this.options.clock, {
      provider: this.name,
      reference: newSandboxReference('YM'),
      kind: PAYMENT_KIND,
      amountMinor: request.amountMinor,
      status: 'pending',
      details: { ...payment, expiresAt: payment.expires_at, returnUrl: request.returnUrl },
      idempotencyKey: request.attemptId,
    });
    return {
      kind: 'started',
      reference: operation.reference,
      instructions: {
        type: 'redirect',
        url: `${this.options.publicUrl}/sandbox/wallet/${operation.reference}`,
      },
    };
  }

  readCallback(rawBody: string, headers: Readonly<Record<string, string | undefined>>): CallbackReading {
    return readSignedJsonCallback(this.secret, rawBody, headers, readWalletNotification);
  }

  /** Returns money to the account the payment came from; refused unless the payment succeeded. */
  async refund(request: {
    reference: string;
    amountMinor: bigint;
    refundId: string;
  }): Promise<MethodRefundOutcome> {
    return refundSandboxOperation(this.options.db, this.options.clock, {
      provider: this.name,
      ...request,
      isPaid: (original) => original.kind === PAYMENT_KIND && original.status === 'succeeded',
      tooMuchReason: 'amount_exceeds_payment',
      refund: {
        referencePrefix: 'YR',
        kind: REFUND_KIND,
        status: 'succeeded',
        details: (original) => ({ account: original.details.account ?? null }),
      },
    });
  }
}

/* ---------------------------------------------------------------------------------------------------
 * The wallet's side: signing in, balances, and the buyer's decision. Used by sandbox-wallet.pages.ts.
 * ------------------------------------------------------------------------------------------------- */

/** The account a typed wallet number names (spaces and dashes allowed). */
export function findWalletAccount(typed: string): WalletTestAccount | undefined {
  const number = typed.replace(/[\s-]/g, '');
  return WALLET_TEST_ACCOUNTS.find((account) => account.number === number);
}

export type WalletSignIn =
  | { readonly kind: 'signed_in'; readonly account: WalletTestAccount }
  | { readonly kind: 'unknown_account' | 'wrong_password' };

export function signInToWallet(typedNumber: string, password: string): WalletSignIn {
  const account = findWalletAccount(typedNumber);
  if (!account) return { kind: 'unknown_account' };
  return constantTimeEqual(account.password, password)
    ? { kind: 'signed_in', account }
    : { kind: 'wrong_password' };
}

/**
 * The proof, carried by the confirm form, that the buyer signed in to `account` for this operation:
 * an HMAC of both under the wallet's secret, so the page keeps no session.
 */
export function walletSessionToken(masterKey: Buffer, reference: string, accountNumber: string): string {
  return createHmac('sha256', sandboxSecret(masterKey, `${SANDBOX_WALLET_PROVIDER}:session`))
    .update(`${reference}:${accountNumber}`, 'utf8')
    .digest('hex');
}

/** An account's balance now: its opening balance, less what it paid, plus what came back. */
export async function walletBalanceMinor(db: Executor, account: WalletTestAccount): Promise<bigint> {
  const row = await db
    .selectFrom('sandbox_method_operations')
    .select(
      sql<string>`coalesce(sum(case when kind = ${REFUND_KIND} then amount_minor else -amount_minor end), 0)::bigint`.as(
        'change',
      ),
    )
    .where('provider', '=', SANDBOX_WALLET_PROVIDER)
    .where('kind', 'in', [PAYMENT_KIND, REFUND_KIND])
    .where('status', '=', 'succeeded')
    .where(({ ref, eb }) => eb(ref('details', '->>').key('account'), '=', account.number))
    .executeTakeFirstOrThrow();
  return account.openingMinor + BigInt(String(row.change));
}

/** Where an operation stands for the wallet's pages. */
export type WalletOperationState = 'unknown' | 'open' | 'expired' | 'succeeded' | 'canceled';

export function walletOperationState(
  operation: SandboxOperation | undefined,
  now: Date,
): WalletOperationState {
  if (!operation || operation.kind !== PAYMENT_KIND) return 'unknown';
  if (operation.status === 'succeeded') return 'succeeded';
  if (operation.status !== 'pending') return 'canceled';
  return hasSandboxOperationExpired(operation, now) ? 'expired' : 'open';
}

export async function findWalletOperation(
  db: Executor,
  reference: string,
): Promise<SandboxOperation | undefined> {
  return findSandboxOperation(db, SANDBOX_WALLET_PROVIDER, reference);
}

export type WalletDecisionResult =
  | {
      readonly kind: 'decided';
      readonly status: 'succeeded' | 'canceled';
      readonly reason?: WalletCancellationReason;
      readonly returnUrl: string;
    }
  | { readonly kind: 'refused'; readonly state: Exclude<WalletOperationState, 'open'> | 'bad_session' };

/**
 * The buyer's Pay or Cancel, under the operation's lock (two clicks decide once) and the account's (two
 * payments from one account read its balance in turn). Recorded, and told to Kopek by the signed
 * notification in the same transaction.
 */
export async function decideWalletPayment(
  options: { readonly db: Kysely<Database>; readonly clock: Clock; readonly masterKey: Buffer },
  input: {
    readonly reference: string;
    readonly accountNumber: string;
    readonly session: string;
    readonly decision: 'pay' | 'cancel';
  },
): Promise<WalletDecisionResult> {
  const account = findWalletAccount(input.accountNumber);
  const expected = account && walletSessionToken(options.masterKey, input.reference, account.number);
  if (!account || !expected || !constantTimeEqual(expected, input.session))
    return { kind: 'refused', state: 'bad_session' };
  return options.db.transaction().execute(async (trx): Promise<WalletDecisionResult> => {
    const operation = await lockSandboxOperation(trx, SANDBOX_WALLET_PROVIDER, input.reference);
    const state = walletOperationState(operation, options.clock.now());
    if (!operation || state !== 'open') return { kind: 'refused', state: state as 'unknown' };
    await sql`select pg_advisory_xact_lock(hashtext(${`${SANDBOX_WALLET_PROVIDER}:${account.number}`}))`.execute(
      trx,
    );
    const reason = await cancellationFor(trx, account, operation, input.decision);
    const status = reason ? 'canceled' : 'succeeded';
    await updateSandboxOperation(trx, options.clock, operation, {
      status,
      ...(status === 'succeeded' ? { receivedMinor: operation.amount_minor } : {}),
      details: { account: account.number, ...(reason ? { cancellationReason: reason } : {}) },
    });
    await sendSandboxCallback(trx, options.clock, {
      provider: SANDBOX_WALLET_PROVIDER,
      secret: sandboxSecret(options.masterKey, SANDBOX_WALLET_PROVIDER),
      body: notificationOf(operation, account, reason),
    });
    return { kind: 'decided', status, ...(reason ? { reason } : {}), returnUrl: returnUrlOf(operation) };
  });
}

async function cancellationFor(
  trx: Transaction<Database>,
  account: WalletTestAccount,
  operation: SandboxOperation,
  decision: 'pay' | 'cancel',
): Promise<WalletCancellationReason | undefined> {
  if (decision === 'cancel') return 'canceled_by_user';
  if (account.isBlocked) return 'payment_method_restricted';
  const balance = await walletBalanceMinor(trx, account);
  return balance < operation.amount_minor ? 'insufficient_funds' : undefined;
}

function notificationOf(
  operation: SandboxOperation,
  account: WalletTestAccount,
  reason: WalletCancellationReason | undefined,
): WalletNotification {
  return {
    type: 'notification',
    eventId: createSecretToken(12),
    event: reason ? 'payment.canceled' : 'payment.succeeded',
    object: {
      id: operation.reference,
      status: reason ? 'canceled' : 'succeeded',
      paid: !reason,
      amount: { value: formatMinor(operation.amount_minor, 'RUB'), currency: 'RUB' },
      payment_method: { type: 'yoo_money', account_number: maskWalletNumber(account.number) },
      ...(reason ? { cancellation_details: { party: 'yoo_money', reason } } : {}),
    },
  };
}
