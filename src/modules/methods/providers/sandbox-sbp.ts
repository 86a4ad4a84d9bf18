/**
 * The SBP (Faster Payments System) sandbox provider: it issues a dynamic payment link, as a bank
 * connected to the NSPK does, which checkout shows as a QR code (and a button on a phone). The link opens
 * the sandbox "bank app" (sandbox/sbp-bank-app.routes.ts): the buyer picks a test bank and confirms or
 * declines; the bank then sends its signed callback. The link is dead after its time (default 10
 * minutes, KOPEK_SBP_QR_TTL_MINUTES). Refunds go back through SBP, by the operation's reference.
 *
 * Its vocabulary, like the NSPK's: NTST (link issued, not scanned), RCVD (the bank received the
 * request), ACWP (accepted: paid), RJCT (rejected), EXPD (the link expired).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { formatMinor } from '../../../platform/money.js';
import type { Database } from '../../../schema.js';
import {
  createSandboxOperation,
  newSandboxReference,
  readSignedJsonCallback,
  sandboxSecret,
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

export const SANDBOX_SBP_PROVIDER = 'sandbox-sbp';

/** The request a bank's SBP API takes to register a dynamic QR (our request, in its words). */
export interface SbpQrRequest {
  readonly qrcType: '02';
  readonly amount: number;
  readonly currency: 'RUB';
  readonly paymentPurpose: string;
  readonly redirectUrl: string;
  readonly qrTtl: number;
}

/** Our start request as the bank's API wants it: kopecks, a purpose of at most 140 characters. */
export function toSbpQrRequest(request: MethodStartRequest, now: Date): SbpQrRequest {
  return {
    qrcType: '02',
    amount: Number(request.amountMinor),
    currency: 'RUB',
    paymentPurpose: request.description.slice(0, 140),
    redirectUrl: request.returnUrl,
    qrTtl: Math.max(1, Math.round((request.expiresAt.getTime() - now.getTime()) / 60_000)),
  };
}

const SBP_STATUSES: Readonly<Record<string, OurMethodStatus>> = {
  NTST: 'pending',
  RCVD: 'pending',
  ACWP: 'paid',
  RJCT: 'declined',
  EXPD: 'expired',
};

/** The bank's status in our terms; anything else is 'unknown' and never counts as paid. */
export function sbpStatusToOurs(status: string): OurMethodStatus {
  return statusFromTable(SBP_STATUSES, status);
}

/** The callback the sandbox bank sends: { eventId, qrcId, status, amount (kopecks), payerBank, ... }. */
export interface SbpCallbackBody {
  readonly eventId: string;
  readonly qrcId: string;
  readonly status: string;
  readonly amount: number;
  readonly payerBank?: string;
  readonly payerAccount?: string;
}

export class SandboxSbpProvider implements MethodProvider {
  readonly name = SANDBOX_SBP_PROVIDER;
  readonly kinds = ['sbp'] as const;
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
    this.secret = sandboxSecret(options.masterKey, SANDBOX_SBP_PROVIDER);
  }

  async start(request: MethodStartRequest): Promise<MethodStartOutcome> {
    const qr = toSbpQrRequest(request, this.options.clock.now());
    const operation = await createSandboxOperation(this.options.db, this.options.clock, {
      provider: this.name,
      reference: newSandboxReference('AS1'),
      kind: 'sbp',
      amountMinor: request.amountMinor,
      status: 'NTST',
      details: {
        ...qr,
        expiresAt: request.expiresAt.toISOString(),
        amountText: formatMinor(request.amountMinor, 'RUB'),
      },
      idempotencyKey: request.attemptId,
    });
    return {
      kind: 'started',
      reference: operation.reference,
      instructions: { type: 'qr_link', url: `${this.options.publicUrl}/sandbox/sbp/${operation.reference}` },
    };
  }

  readCallback(rawBody: string, headers: Readonly<Record<string, string | undefined>>): CallbackReading {
    return readSignedJsonCallback(this.secret, rawBody, headers, (body) => {
      const callback = body as Partial<SbpCallbackBody>;
      if (
        typeof callback.eventId !== 'string' ||
        typeof callback.qrcId !== 'string' ||
        typeof callback.status !== 'string' ||
        typeof callback.amount !== 'number' ||
        !Number.isSafeInteger(callback.amount)
      )
        return undefined;
      return {
        eventId: callback.eventId,
        reference: callback.qrcId,
        status: sbpStatusToOurs(callback.status),
        providerStatus: callback.status,
        receivedMinor: BigInt(callback.amount),
        ...(typeof callback.payerAccount === 'string' ? { maskedAccount: callback.payerAccount } : {}),
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
      isPaid: (original) => original.kind === 'sbp' && original.status === 'ACWP',
      tooMuchReason: 'amount_exceeds_payment',
      refund: { referencePrefix: 'RF1', kind: 'sbp_refund', status: 'ACWP' },
    });
  }
}
