/**
 * The internet-bank sandbox provider, in the manner of Alfa-Click: Kopek registers a payment order with
 * the bank and sends the buyer to the bank's pages (sandbox-bank.pages.ts). There the buyer signs in with
 * a test login, sees the payment order (payee, purpose, amount, debit account) and signs or cancels it.
 * A signed order is not money yet: the bank takes its time to execute it (KOPEK_SANDBOX_BANK_DELAY_SECONDS,
 * a minute by default), so its 'EXECUTED' callback is queued that much later and the checkout shows the
 * payment pending until it arrives. A cancelled order, or one the client's money does not cover, is
 * rejected at once with the reason. The order stays open for the attempt's time (KOPEK_BANK_TTL_MINUTES);
 * past it the bank takes no signature. Refunds go back to the debited account, by the order's reference.
 *
 * Its vocabulary: NEW (registered, waiting for the client), SIGNED (signed, not yet taken for
 * processing), PROCESSING (being executed), EXECUTED (paid), REJECTED (cancelled or declined),
 * EXPIRED (not signed in time).
 */
import { randomInt } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { constantTimeEqual, createSecretToken, hashToken } from '../../../platform/crypto.js';
import { formatMinor } from '../../../platform/money.js';
import type { Database } from '../../../schema.js';
import {
  createSandboxOperation,
  hasSandboxOperationExpired,
  lockSandboxOperation,
  newSandboxReference,
  readSignedJsonCallback,
  sandboxSecret,
  sendSandboxCallback,
  updateSandboxOperation,
  type SandboxOperation,
  statusFromTable,
  refundSandboxOperation,
} from './sandbox-operations.js';
import type {
  CallbackReading,
  MethodProvider,
  MethodRefundOutcome,
  MethodStartOutcome,
  MethodStartRequest,
  OurMethodStatus,
} from './method-provider.js';

export const SANDBOX_BANK_PROVIDER = 'sandbox-bank';

/** Who the buyer pays: the aggregator's account, as on a real internet-bank payment to a PSP. */
export const SANDBOX_BANK_PAYEE = {
  name: 'ООО «Копек»',
  inn: '7700000000',
  account: '40702810900000000001',
  bic: '044525593',
  bank: 'АО «Альфа-Банк» (песочница)',
} as const;

/** A payment order's purpose: at most 210 characters, as in a Russian payment order's field 24. */
export const PURPOSE_MAX_LENGTH = 210;

/** The payment order the bank's API registers (our request, in its words). */
export interface BankPaymentOrderRequest {
  /** Ours: the attempt, the bank's idempotency key. */
  readonly externalId: string;
  /** Kopecks: internet banks take roubles only. */
  readonly amount: number;
  readonly currency: 'RUB';
  readonly purpose: string;
  readonly payeeName: string;
  readonly payeeInn: string;
  readonly payeeAccount: string;
  readonly payeeBic: string;
  /** Where the bank's "back to the shop" link goes. */
  readonly returnUrl: string;
  /** Until when the client may sign (ISO 8601, UTC) and, in whole minutes, how long that is. */
  readonly validUntil: string;
  readonly lifetimeMinutes: number;
}

export function toBankPaymentOrder(request: MethodStartRequest, now: Date): BankPaymentOrderRequest {
  const purpose = `Оплата заказа: ${request.description}`.replace(/\s+/g, ' ').trim();
  return {
    externalId: request.attemptId,
    amount: Number(request.amountMinor),
    currency: 'RUB',
    purpose: purpose.slice(0, PURPOSE_MAX_LENGTH),
    payeeName: SANDBOX_BANK_PAYEE.name,
    payeeInn: SANDBOX_BANK_PAYEE.inn,
    payeeAccount: SANDBOX_BANK_PAYEE.account,
    payeeBic: SANDBOX_BANK_PAYEE.bic,
    returnUrl: request.returnUrl,
    validUntil: request.expiresAt.toISOString(),
    lifetimeMinutes: Math.max(1, Math.ceil((request.expiresAt.getTime() - now.getTime()) / 60_000)),
  };
}

const BANK_STATUSES: Readonly<Record<string, OurMethodStatus>> = {
  NEW: 'pending',
  SIGNED: 'pending',
  PROCESSING: 'pending',
  EXECUTED: 'paid',
  REJECTED: 'declined',
  EXPIRED: 'expired',
};

/** The bank's status in our terms; anything else is 'unknown' and never counts as paid. */
export function bankStatusToOurs(status: string): OurMethodStatus {
  return statusFromTable(BANK_STATUSES, status);
}

/** The callback the sandbox bank sends on each change of an order. Amounts in kopecks. */
export interface BankCallbackBody {
  readonly eventId: string;
  /** The bank's order (our provider reference). */
  readonly orderId: string;
  /** Ours: the attempt the order was registered for. */
  readonly externalId: string;
  readonly status: string;
  readonly amount: number;
  /** The client's account the money leaves, masked. */
  readonly debitAccount?: string;
  /** Why the order was rejected: 'buyer_cancelled', 'insufficient_funds', 'expired'. */
  readonly rejectReason?: string;
  readonly statusTime: string;
}

/** The sandbox bank's test clients (listed on its sign-in page). No SMS: signing is one button. */
export const SANDBOX_BANK_CLIENTS = [
  {
    login: 'client',
    password: 'client',
    name: 'Иванов Иван Иванович',
    account: '40817810100000012345',
    balanceMinor: 100_000_000n,
  },
  {
    login: 'poor',
    password: 'poor',
    name: 'Петров Пётр Петрович',
    account: '40817810200000067890',
    // Below the method's minimum (10 roubles): every order of this client is declined for lack of money.
    balanceMinor: 500n,
  },
] as const;

export type SandboxBankClient = (typeof SANDBOX_BANK_CLIENTS)[number];

/** "40817…2345": what a statement or a merchant may see of an account. */
export function maskBankAccount(account: string): string {
  return `${account.slice(0, 5)}…${account.slice(-4)}`;
}

/**
 * The order's status now: a PROCESSING order is EXECUTED once its execution time has come (the
 * 'EXECUTED' callback was queued for that moment when the client signed).
 */
export function bankStatusAt(operation: SandboxOperation, now: Date): string {
  const executesAt = operation.details.executesAt;
  if (
    operation.status === 'PROCESSING' &&
    typeof executesAt === 'string' &&
    new Date(executesAt).getTime() <= now.getTime()
  )
    return 'EXECUTED';
  return operation.status;
}

export class SandboxBankProvider implements MethodProvider {
  readonly name = SANDBOX_BANK_PROVIDER;
  readonly kinds = ['internet_bank'] as const;
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
    this.secret = sandboxSecret(options.masterKey, SANDBOX_BANK_PROVIDER);
  }

  async start(request: MethodStartRequest): Promise<MethodStartOutcome> {
    const order = toBankPaymentOrder(request, this.options.clock.now());
    const operation = await createSandboxOperation(this.options.db, this.options.clock, {
      provider: this.name,
      reference: newSandboxReference('ALF'),
      kind: 'internet_bank',
      amountMinor: request.amountMinor,
      status: 'NEW',
      details: {
        ...order,
        orderNumber: String(randomInt(100_000, 1_000_000)),
        expiresAt: order.validUntil,
        amountText: formatMinor(request.amountMinor, 'RUB'),
      },
      idempotencyKey: request.attemptId,
    });
    return {
      kind: 'started',
      reference: operation.reference,
      instructions: {
        type: 'redirect',
        url: `${this.options.publicUrl}/sandbox/bank/${operation.reference}`,
      },
      details: { paymentOrder: String(operation.details.orderNumber ?? '') },
    };
  }

  readCallback(rawBody: string, headers: Readonly<Record<string, string | undefined>>): CallbackReading {
    return readSignedJsonCallback(this.secret, rawBody, headers, (body) => {
      const callback = body as Partial<BankCallbackBody>;
      if (
        typeof callback.eventId !== 'string' ||
        typeof callback.orderId !== 'string' ||
        typeof callback.status !== 'string' ||
        typeof callback.amount !== 'number' ||
        !Number.isSafeInteger(callback.amount) ||
        callback.amount < 0
      )
        return undefined;
      return {
        eventId: callback.eventId,
        reference: callback.orderId,
        status: bankStatusToOurs(callback.status),
        providerStatus: callback.status,
        receivedMinor: BigInt(callback.amount),
        ...(typeof callback.debitAccount === 'string' ? { maskedAccount: callback.debitAccount } : {}),
        ...(typeof callback.rejectReason === 'string' ? { declineReason: callback.rejectReason } : {}),
      };
    });
  }

  async refund(request: {
    reference: string;
    amountMinor: bigint;
    refundId: string;
  }): Promise<MethodRefundOutcome> {
    return refundSandboxOperation(this.options.db, this.options.clock, {
      provider: this.name,
      ...request,
      isPaid: (original) => bankStatusAt(original, this.options.clock.now()) === 'EXECUTED',
      tooMuchReason: 'amount_too_large',
      refund: {
        referencePrefix: 'ARF',
        kind: 'internet_bank_refund',
        status: 'EXECUTED',
        details: (original) => ({ creditAccount: String(original.details.debitAccount ?? '') }),
      },
    });
  }
}

/* ---------------------------------------------------------------------------------------------------
 * The bank's side of an order: the client signs in, then signs or cancels. Used by the bank's pages.
 * ------------------------------------------------------------------------------------------------- */

export interface SandboxBankOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly masterKey: Buffer;
  /** KOPEK_SANDBOX_BANK_DELAY_SECONDS: from the signature to the 'EXECUTED' callback. */
  readonly delaySeconds: number;
}

/** What the bank answers a client's step. */
export type BankStep =
  | { readonly kind: 'not_found' }
  /** The order is no longer NEW: signed, executed, rejected or expired; nothing changed. */
  | { readonly kind: 'closed'; readonly operation: SandboxOperation }
  /** The order's time is over: it is EXPIRED now, and Kopek is told. */
  | { readonly kind: 'expired'; readonly operation: SandboxOperation }
  | { readonly kind: 'bad_credentials'; readonly operation: SandboxOperation }
  /** The sign-in of this page is not the one the order knows (another tab, or none): sign in again. */
  | { readonly kind: 'session_over'; readonly operation: SandboxOperation }
  | {
      readonly kind: 'signed_in';
      readonly operation: SandboxOperation;
      readonly client: SandboxBankClient;
      readonly session: string;
    }
  /** Signed (PROCESSING) or rejected (REJECTED): the new state of the order. */
  | { readonly kind: 'decided'; readonly operation: SandboxOperation };

export function findSandboxBankClient(login: string): SandboxBankClient | undefined {
  return SANDBOX_BANK_CLIENTS.find((client) => client.login === login.trim().toLowerCase());
}

function isPasswordRight(client: SandboxBankClient, password: string): boolean {
  return constantTimeEqual(hashToken(client.password), hashToken(password));
}

type OpenOrder =
  | { readonly kind: 'open'; readonly operation: SandboxOperation }
  | Extract<BankStep, { kind: 'not_found' | 'closed' | 'expired' }>;

/**
 * Takes the order's lock and says whether it still takes a step; an order past its time is marked
 * EXPIRED and its callback queued in the same transaction.
 */
async function withOpenOrder(
  options: SandboxBankOptions,
  reference: string,
  step: (trx: Transaction<Database>, operation: SandboxOperation) => Promise<BankStep>,
): Promise<BankStep> {
  return options.db.transaction().execute(async (trx): Promise<BankStep> => {
    const opened = await openOrder(options, trx, reference);
    return opened.kind === 'open' ? step(trx, opened.operation) : opened;
  });
}

async function openOrder(
  options: SandboxBankOptions,
  trx: Transaction<Database>,
  reference: string,
): Promise<OpenOrder> {
  const operation = await lockSandboxOperation(trx, SANDBOX_BANK_PROVIDER, reference);
  if (!operation) return { kind: 'not_found' };
  if (operation.status !== 'NEW') return { kind: 'closed', operation };
  if (!hasSandboxOperationExpired(operation, options.clock.now())) return { kind: 'open', operation };
  const expired = await changeOrder(options, trx, operation, 'EXPIRED', { rejectReason: 'expired' });
  return { kind: 'expired', operation: expired };
}

/** Records the order's new status and tells Kopek, `delayMs` later if the bank is slow. */
async function changeOrder(
  options: SandboxBankOptions,
  trx: Transaction<Database>,
  operation: SandboxOperation,
  status: 'PROCESSING' | 'REJECTED' | 'EXPIRED',
  details: Record<string, unknown>,
): Promise<SandboxOperation> {
  await updateSandboxOperation(trx, options.clock, operation, { status, details });
  await notifyKopek(options, trx, operation, status, details);
  return { ...operation, status, details: { ...operation.details, ...details } };
}

async function notifyKopek(
  options: SandboxBankOptions,
  trx: Transaction<Database>,
  operation: SandboxOperation,
  status: string,
  details: Record<string, unknown>,
  delayMs = 0,
): Promise<void> {
  const at = new Date(options.clock.now().getTime() + delayMs);
  const body: BankCallbackBody = {
    eventId: createSecretToken(12),
    orderId: operation.reference,
    externalId: String(operation.details.externalId ?? ''),
    status,
    amount: Number(operation.amount_minor),
    ...(typeof details.debitAccount === 'string' ? { debitAccount: details.debitAccount } : {}),
    ...(typeof details.rejectReason === 'string' ? { rejectReason: details.rejectReason } : {}),
    statusTime: at.toISOString(),
  };
  await sendSandboxCallback(trx, options.clock, {
    provider: SANDBOX_BANK_PROVIDER,
    secret: sandboxSecret(options.masterKey, SANDBOX_BANK_PROVIDER),
    body,
    delayMs,
  });
}

/** The client signs in to see the order: a session for this order only, kept as a hash. */
export async function signInToBank(
  options: SandboxBankOptions,
  reference: string,
  credentials: { readonly login: string; readonly password: string },
): Promise<BankStep> {
  return withOpenOrder(options, reference, async (trx, operation) => {
    const client = findSandboxBankClient(credentials.login);
    if (!client || !isPasswordRight(client, credentials.password))
      return { kind: 'bad_credentials', operation };
    const session = createSecretToken(24);
    const details = { client: client.login, sessionHash: hashToken(session) };
    await updateSandboxOperation(trx, options.clock, operation, { details });
    return {
      kind: 'signed_in',
      operation: { ...operation, details: { ...operation.details, ...details } },
      client,
      session,
    };
  });
}

/**
 * The client signs the order (then it is PROCESSING, and EXECUTED after the bank's delay) or cancels it
 * (REJECTED). An order the client's balance does not cover is REJECTED for insufficient funds.
 */
export async function decideBankOrder(
  options: SandboxBankOptions,
  reference: string,
  input: { readonly session: string; readonly decision: 'sign' | 'cancel' },
): Promise<BankStep> {
  return withOpenOrder(options, reference, async (trx, operation) => {
    const sessionHash = operation.details.sessionHash;
    const client = findSandboxBankClient(String(operation.details.client ?? ''));
    if (
      !client ||
      typeof sessionHash !== 'string' ||
      input.session === '' ||
      !constantTimeEqual(sessionHash, hashToken(input.session))
    )
      return { kind: 'session_over', operation };
    const debitAccount = maskBankAccount(client.account);
    const closed = { sessionHash: null, debitAccount, decidedAt: options.clock.now().toISOString() };
    if (input.decision === 'cancel')
      return {
        kind: 'decided',
        operation: await changeOrder(options, trx, operation, 'REJECTED', {
          ...closed,
          rejectReason: 'buyer_cancelled',
        }),
      };
    if (client.balanceMinor < operation.amount_minor)
      return {
        kind: 'decided',
        operation: await changeOrder(options, trx, operation, 'REJECTED', {
          ...closed,
          rejectReason: 'insufficient_funds',
        }),
      };
    return { kind: 'decided', operation: await executeLater(options, trx, operation, closed) };
  });
}

/** Signed: PROCESSING now (told at once), EXECUTED after the bank's delay (its callback queued for then). */
async function executeLater(
  options: SandboxBankOptions,
  trx: Transaction<Database>,
  operation: SandboxOperation,
  closed: Record<string, unknown>,
): Promise<SandboxOperation> {
  const delayMs = options.delaySeconds * 1000;
  const executesAt = new Date(options.clock.now().getTime() + delayMs).toISOString();
  const processing = await changeOrder(options, trx, operation, 'PROCESSING', { ...closed, executesAt });
  await notifyKopek(options, trx, processing, 'EXECUTED', processing.details, delayMs);
  return processing;
}
