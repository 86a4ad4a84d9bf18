/**
 * The mobile-app sandbox provider (SberPay, Mir Pay, T-Pay style): Kopek registers an order with the
 * app's acquiring API and gets a link that opens the app on a phone (checkout shows it as a button there
 * and as a QR code on a desktop). The link opens the sandbox app page (sandbox-app.pages.ts), styled and
 * named after the app the buyer chose; the buyer picks one of the app's test cards or accounts and
 * confirms or declines. The app records the outcome and sends its signed callback; its page then asks
 * the buyer to return to the shop's page. The link dies at the attempt's time (KOPEK_APP_TTL_MINUTES,
 * default 10): past it the app answers that the link expired, takes nothing and tells Kopek so.
 * Refunds go back to the card or account the payment came from, by the operation's reference.
 *
 * Its vocabulary, like Russian acquirers' app payments: CREATED (order registered, the buyer has not
 * answered), AUTHORIZED (approved in the app, not yet settled), CONFIRMED (paid), REVERSED (an
 * authorisation cancelled), DECLINED (with a reasonCode: INSUFFICIENT_FUNDS, USER_CANCELLED, ...),
 * EXPIRED (the link's time ran out); refunds are REFUNDED operations of their own.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { createSecretToken } from '../../../platform/crypto.js';
import type { LocalizedText } from '../../../platform/i18n.js';
import type { Database } from '../../../schema.js';
import type { PaymentMethodItem } from '../catalog.js';
import {
  createSandboxOperation,
  findSandboxOperation,
  hasSandboxOperationExpired,
  lockSandboxOperation,
  newSandboxReference,
  readSignedJsonCallback,
  refundSandboxOperation,
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

export const SANDBOX_APP_PROVIDER = 'sandbox-app';
const PAYMENT_KIND = 'mobile_app';
const REFUND_KIND = 'mobile_app_refund';

type Executor = Kysely<Database> | Transaction<Database>;

export const MOBILE_APP_IDS = ['sberpay', 'mirpay', 'tpay'] as const;
export type MobileAppId = (typeof MOBILE_APP_IDS)[number];

/** A card or account the buyer can pay from in the sandbox app. */
export interface AppTestInstrument {
  readonly id: string;
  readonly name: LocalizedText;
  /** What Kopek is told and shows as IncAccount: never the whole number. */
  readonly maskedAccount: string;
  /** Always declined for lack of money. */
  readonly isEmpty: boolean;
}

export interface MobileAppProfile {
  readonly id: MobileAppId;
  /** The catalogue label whose payments this app takes. */
  readonly methodLabel: string;
  readonly name: string;
  /** Who runs the app, shown under its name. */
  readonly issuer: LocalizedText;
  readonly instruments: readonly AppTestInstrument[];
}

export const MOBILE_APPS: Readonly<Record<MobileAppId, MobileAppProfile>> = {
  sberpay: {
    id: 'sberpay',
    methodLabel: 'SberPayPSR',
    name: 'SberPay',
    issuer: { ru: 'Сбербанк', en: 'Sberbank' },
    instruments: [
      {
        id: 'sber-mir',
        name: { ru: 'СберКарта Мир', en: 'SberCard Mir' },
        maskedAccount: '220220******0011',
        isEmpty: false,
      },
      {
        id: 'sber-account',
        name: { ru: 'Платёжный счёт', en: 'Payment account' },
        maskedAccount: '40817810********0022',
        isEmpty: false,
      },
      {
        id: 'sber-empty',
        name: { ru: 'Карта без денег (всегда отказ)', en: 'Empty card (always declines)' },
        maskedAccount: '220220******0099',
        isEmpty: true,
      },
    ],
  },
  mirpay: {
    id: 'mirpay',
    methodLabel: 'MirPayPSR',
    name: 'Mir Pay',
    issuer: { ru: 'НСПК, платёжная система «Мир»', en: 'NSPK, the Mir payment system' },
    instruments: [
      {
        id: 'mir-vtb',
        name: { ru: 'ВТБ, карта Мир', en: 'VTB, Mir card' },
        maskedAccount: '220024******0011',
        isEmpty: false,
      },
      {
        id: 'mir-alfa',
        name: { ru: 'Альфа-Банк, карта Мир', en: 'Alfa-Bank, Mir card' },
        maskedAccount: '220015******0022',
        isEmpty: false,
      },
      {
        id: 'mir-empty',
        name: { ru: 'Карта Мир без денег (всегда отказ)', en: 'Empty Mir card (always declines)' },
        maskedAccount: '220000******0099',
        isEmpty: true,
      },
    ],
  },
  tpay: {
    id: 'tpay',
    methodLabel: 'TPayPSR',
    name: 'T-Pay',
    issuer: { ru: 'Т-Банк', en: 'T-Bank' },
    instruments: [
      {
        id: 'tbank-black',
        name: { ru: 'Т-Банк Black, дебетовая', en: 'T-Bank Black, debit' },
        maskedAccount: '220070******0011',
        isEmpty: false,
      },
      {
        id: 'tbank-platinum',
        name: { ru: 'Т-Банк Платинум, кредитная', en: 'T-Bank Platinum, credit' },
        maskedAccount: '553691******0022',
        isEmpty: false,
      },
      {
        id: 'tbank-empty',
        name: { ru: 'Карта без денег (всегда отказ)', en: 'Empty card (always declines)' },
        maskedAccount: '220070******0099',
        isEmpty: true,
      },
    ],
  },
};

/** The app that takes payments of a catalogue method, or undefined for a method that is not an app. */
export function appOfMethod(method: Pick<PaymentMethodItem, 'label'>): MobileAppProfile | undefined {
  return MOBILE_APP_IDS.map((id) => MOBILE_APPS[id]).find((app) => app.methodLabel === method.label);
}

/** The app an operation was registered with (its details.app), if it is one of ours. */
export function appOfOperation(operation: SandboxOperation): MobileAppProfile | undefined {
  const app = operation.details.app;
  return typeof app === 'string' && (MOBILE_APP_IDS as readonly string[]).includes(app)
    ? MOBILE_APPS[app as MobileAppId]
    : undefined;
}

/** The order an app's acquiring API registers (our request, in its words). */
export interface AppOrderRequest {
  readonly app: MobileAppId;
  /** Our attempt id: the app's idempotency key. */
  readonly orderNumber: string;
  /** Kopecks. */
  readonly amount: number;
  /** ISO 4217 numeric: 643 is the rouble. */
  readonly currency: '643';
  /** Shown to the buyer in the app: at most 140 characters. */
  readonly description: string;
  readonly returnUrl: string;
  /** When the app stops taking the order (ISO 8601). */
  readonly expirationDate: string;
}

export function toAppOrderRequest(request: MethodStartRequest, app: MobileAppProfile): AppOrderRequest {
  return {
    app: app.id,
    orderNumber: request.attemptId,
    amount: Number(request.amountMinor),
    currency: '643',
    description: request.description.slice(0, 140),
    returnUrl: request.returnUrl,
    expirationDate: request.expiresAt.toISOString(),
  };
}

const APP_STATUSES: Readonly<Record<string, OurMethodStatus>> = {
  CREATED: 'pending',
  // Approved in the app but not settled: not money received yet.
  AUTHORIZED: 'pending',
  CONFIRMED: 'paid',
  REVERSED: 'declined',
  DECLINED: 'declined',
  EXPIRED: 'expired',
};

/** The app's status in our terms; anything else is 'unknown' and never counts as paid. */
export function appStatusToOurs(status: string): OurMethodStatus {
  return statusFromTable(APP_STATUSES, status);
}

export type AppReasonCode = 'INSUFFICIENT_FUNDS' | 'USER_CANCELLED' | 'TIMEOUT';

const DECLINE_REASONS: Readonly<Record<string, string>> = {
  INSUFFICIENT_FUNDS: 'insufficient_funds',
  USER_CANCELLED: 'buyer_cancelled',
  TIMEOUT: 'expired',
};

/** Why the app declined, as our decline reason (the checkout's words for it). */
export function appDeclineReasonToOurs(reasonCode: string | undefined): string {
  return reasonCode !== undefined && Object.hasOwn(DECLINE_REASONS, reasonCode)
    ? (DECLINE_REASONS[reasonCode] as string)
    : 'app_declined';
}

/** The callback the sandbox app sends. */
export interface AppCallbackBody {
  readonly eventId: string;
  readonly operationId: string;
  readonly app: string;
  readonly status: string;
  /** Kopecks. */
  readonly amount: number;
  readonly maskedAccount?: string;
  readonly reasonCode?: string;
}

/** The app's callback in our terms, or undefined when it is not the app's format. */
export function readAppCallback(body: unknown): MethodEvent | undefined {
  const callback = body as Partial<AppCallbackBody>;
  if (
    typeof callback.eventId !== 'string' ||
    typeof callback.operationId !== 'string' ||
    typeof callback.status !== 'string' ||
    typeof callback.amount !== 'number' ||
    !Number.isSafeInteger(callback.amount) ||
    callback.amount < 0
  )
    return undefined;
  const status = appStatusToOurs(callback.status);
  const isEnded = status === 'declined' || status === 'expired';
  return {
    eventId: callback.eventId,
    reference: callback.operationId,
    status,
    providerStatus: callback.status,
    ...(status === 'paid' ? { receivedMinor: BigInt(callback.amount) } : {}),
    ...(typeof callback.maskedAccount === 'string' ? { maskedAccount: callback.maskedAccount } : {}),
    ...(isEnded ? { declineReason: appDeclineReasonToOurs(callback.reasonCode) } : {}),
  };
}

interface ProviderOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly masterKey: Buffer;
  readonly publicUrl: string;
}

export class SandboxAppProvider implements MethodProvider {
  readonly name = SANDBOX_APP_PROVIDER;
  readonly kinds = ['mobile_app'] as const;
  readonly isSandbox = true;
  private readonly secret: Buffer;

  constructor(private readonly options: ProviderOptions) {
    this.secret = sandboxSecret(options.masterKey, SANDBOX_APP_PROVIDER);
  }

  async start(request: MethodStartRequest): Promise<MethodStartOutcome> {
    const app = appOfMethod(request.method);
    if (!app || request.currency !== 'RUB') return { kind: 'refused', reason: 'provider_unavailable' };
    const order = toAppOrderRequest(request, app);
    const operation = await createSandboxOperation(this.options.db, this.options.clock, {
      provider: this.name,
      reference: newSandboxReference('APP'),
      kind: PAYMENT_KIND,
      amountMinor: request.amountMinor,
      status: 'CREATED',
      details: { ...order, expiresAt: order.expirationDate },
      idempotencyKey: request.attemptId,
    });
    return {
      kind: 'started',
      reference: operation.reference,
      instructions: { type: 'qr_link', url: `${this.options.publicUrl}/sandbox/app/${operation.reference}` },
      details: { app: app.id },
    };
  }

  readCallback(rawBody: string, headers: Readonly<Record<string, string | undefined>>): CallbackReading {
    return readSignedJsonCallback(this.secret, rawBody, headers, readAppCallback);
  }

  /** Returns money to the card or account the payment came from; refused unless it was confirmed. */
  async refund(request: {
    reference: string;
    amountMinor: bigint;
    refundId: string;
  }): Promise<MethodRefundOutcome> {
    return refundSandboxOperation(this.options.db, this.options.clock, {
      provider: this.name,
      ...request,
      isPaid: (original) => original.kind === PAYMENT_KIND && original.status === 'CONFIRMED',
      tooMuchReason: 'amount_exceeds_payment',
      refund: {
        referencePrefix: 'APR',
        kind: REFUND_KIND,
        status: 'REFUNDED',
        details: (original) => ({
          app: original.details.app ?? null,
          maskedAccount: original.details.maskedAccount ?? null,
        }),
      },
    });
  }
}

/* ---------------------------------------------------------------------------------------------------
 * The app's side: where an order stands, and the buyer's decision. Used by sandbox-app.pages.ts.
 * ------------------------------------------------------------------------------------------------- */

/** Where an order stands for the app's page. */
export type AppOperationState = 'unknown' | 'open' | 'expired' | 'confirmed' | 'declined';

export function appOperationState(operation: SandboxOperation | undefined, now: Date): AppOperationState {
  if (!operation || operation.kind !== PAYMENT_KIND || !appOfOperation(operation)) return 'unknown';
  switch (operation.status) {
    case 'CONFIRMED':
      return 'confirmed';
    case 'DECLINED':
    case 'REVERSED':
      return 'declined';
    case 'CREATED':
    case 'AUTHORIZED':
      return hasSandboxOperationExpired(operation, now) ? 'expired' : 'open';
    default:
      return 'expired';
  }
}

export async function findAppOperation(
  db: Executor,
  reference: string,
): Promise<SandboxOperation | undefined> {
  return findSandboxOperation(db, SANDBOX_APP_PROVIDER, reference);
}

export type AppDecisionResult =
  | {
      readonly kind: 'decided';
      readonly status: 'CONFIRMED' | 'DECLINED';
      readonly reasonCode?: AppReasonCode;
      readonly operation: SandboxOperation;
    }
  /** The buyer sent an instrument the app does not have: nothing changed. */
  | { readonly kind: 'no_instrument'; readonly operation: SandboxOperation }
  | {
      readonly kind: 'closed';
      readonly state: Exclude<AppOperationState, 'open'>;
      readonly operation?: SandboxOperation;
    };

/**
 * The buyer's Confirm or Decline, under the operation's lock (two taps decide once). Recorded, and told
 * to Kopek by the app's signed callback in the same transaction. An order past its time is marked
 * EXPIRED (and Kopek told) instead: nothing is taken.
 */
export async function decideAppPayment(
  options: { readonly db: Kysely<Database>; readonly clock: Clock; readonly masterKey: Buffer },
  input: {
    readonly reference: string;
    readonly instrumentId: string;
    readonly decision: 'confirm' | 'decline';
  },
): Promise<AppDecisionResult> {
  return options.db.transaction().execute(async (trx): Promise<AppDecisionResult> => {
    const operation = await lockSandboxOperation(trx, SANDBOX_APP_PROVIDER, input.reference);
    const state = appOperationState(operation, options.clock.now());
    if (!operation || state !== 'open') {
      if (operation && state === 'expired' && operation.status !== 'EXPIRED')
        return expireOperation(trx, options, operation);
      return {
        kind: 'closed',
        state: state === 'open' ? 'unknown' : state,
        ...(operation ? { operation } : {}),
      };
    }
    const app = appOfOperation(operation) as MobileAppProfile;
    const instrument = app.instruments.find((candidate) => candidate.id === input.instrumentId);
    if (input.decision === 'confirm' && !instrument) return { kind: 'no_instrument', operation };
    const reasonCode: AppReasonCode | undefined =
      input.decision === 'decline'
        ? 'USER_CANCELLED'
        : instrument?.isEmpty
          ? 'INSUFFICIENT_FUNDS'
          : undefined;
    const status = reasonCode ? 'DECLINED' : 'CONFIRMED';
    const details = {
      ...(instrument ? { instrument: instrument.id, maskedAccount: instrument.maskedAccount } : {}),
      ...(reasonCode ? { reasonCode } : {}),
    };
    await updateSandboxOperation(trx, options.clock, operation, {
      status,
      ...(status === 'CONFIRMED' ? { receivedMinor: operation.amount_minor } : {}),
      details,
    });
    await sendAppCallback(trx, options, operation, status, {
      ...(instrument ? { maskedAccount: instrument.maskedAccount } : {}),
      ...(reasonCode ? { reasonCode } : {}),
    });
    const decided = { ...operation, status, details: { ...operation.details, ...details } };
    return { kind: 'decided', status, ...(reasonCode ? { reasonCode } : {}), operation: decided };
  });
}

async function expireOperation(
  trx: Transaction<Database>,
  options: { readonly clock: Clock; readonly masterKey: Buffer },
  operation: SandboxOperation,
): Promise<AppDecisionResult> {
  await updateSandboxOperation(trx, options.clock, operation, {
    status: 'EXPIRED',
    details: { reasonCode: 'TIMEOUT' },
  });
  await sendAppCallback(trx, options, operation, 'EXPIRED', { reasonCode: 'TIMEOUT' });
  return { kind: 'closed', state: 'expired', operation: { ...operation, status: 'EXPIRED' } };
}

async function sendAppCallback(
  trx: Transaction<Database>,
  options: { readonly clock: Clock; readonly masterKey: Buffer },
  operation: SandboxOperation,
  status: string,
  extra: { readonly maskedAccount?: string; readonly reasonCode?: AppReasonCode },
): Promise<void> {
  const body: AppCallbackBody = {
    eventId: createSecretToken(12),
    operationId: operation.reference,
    app: String(operation.details.app ?? ''),
    status,
    amount: Number(operation.amount_minor),
    ...extra,
  };
  await sendSandboxCallback(trx, options.clock, {
    provider: SANDBOX_APP_PROVIDER,
    secret: sandboxSecret(options.masterKey, SANDBOX_APP_PROVIDER),
    body,
  });
}
