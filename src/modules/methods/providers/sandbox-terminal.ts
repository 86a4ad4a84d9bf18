/**
 * The cash-terminal sandbox provider: a network of payment terminals and ATMs that take cash against a
 * payment code, as the Russian terminal networks do. Kopek registers a bill; the network answers with a
 * short numeric code (11 digits and a Luhn check digit, unique among the network's open codes) that the
 * buyer types at a terminal, or reads off the printable voucher, until the code expires (72 hours by
 * default, KOPEK_TERMINAL_CODE_TTL_HOURS). The terminal (sandbox-terminal.pages.ts: a page and a JSON
 * API) takes cash in as many insertions as the buyer likes and sends a signed callback after each one:
 * part of the amount (PARTIAL, with what was received so far), all of it (COMPLETED). Cash beyond the
 * amount follows the installation's rule (KOPEK_CASH_OVERPAYMENT): 'phone' credits the change to the
 * buyer's phone and reports the amount owed as received; 'keep' reports everything inserted, so Kopek
 * records the overpayment. Cash cannot be refunded through a terminal.
 *
 * Its vocabulary: ISSUED (code given, no cash yet), PARTIAL, COMPLETED, EXPIRED, CANCELLED.
 */
import { randomInt } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CashOverpaymentRule } from '../../../config.js';
import type { Clock } from '../../../platform/clock.js';
import { constantTimeEqual, createSecretToken } from '../../../platform/crypto.js';
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
} from './sandbox-operations.js';
import type {
  CallbackReading,
  MethodProvider,
  MethodStartOutcome,
  MethodStartRequest,
  OurMethodStatus,
} from './method-provider.js';

export const SANDBOX_TERMINAL_PROVIDER = 'sandbox-terminal';

/** The network's statuses in which a code still takes cash (before its time is over). */
export const OPEN_TERMINAL_STATUSES = ['ISSUED', 'PARTIAL'] as const;

/** The bill a terminal network registers for a code (our request, in its words). */
export interface TerminalBillRequest {
  readonly billId: string;
  /** Kopecks: terminals take roubles only. */
  readonly amount: number;
  readonly currency: 'RUB';
  /** Shown on the terminal's screen and receipt: at most 100 characters. */
  readonly comment: string;
  /** Until when the code takes cash (ISO 8601, UTC). */
  readonly validUntil: string;
  /** The code's life in whole hours, rounded up, as the networks' APIs take it. */
  readonly lifetimeHours: number;
}

export function toTerminalBillRequest(request: MethodStartRequest, now: Date): TerminalBillRequest {
  return {
    billId: request.attemptId,
    amount: Number(request.amountMinor),
    currency: 'RUB',
    comment: request.description.slice(0, 100),
    validUntil: request.expiresAt.toISOString(),
    lifetimeHours: Math.max(1, Math.ceil((request.expiresAt.getTime() - now.getTime()) / 3_600_000)),
  };
}

const TERMINAL_STATUSES: Readonly<Record<string, OurMethodStatus>> = {
  ISSUED: 'pending',
  PARTIAL: 'partially_paid',
  COMPLETED: 'paid',
  EXPIRED: 'expired',
  CANCELLED: 'declined',
};

/** The network's status in our terms; anything else is 'unknown' and never counts as paid. */
export function terminalStatusToOurs(status: string): OurMethodStatus {
  return statusFromTable(TERMINAL_STATUSES, status);
}

/** The callback the sandbox network sends after each insertion of cash. All amounts in kopecks. */
export interface TerminalCallbackBody {
  readonly eventId: string;
  /** The network's operation (our provider reference). */
  readonly operationId: string;
  /** Ours: the bill it was registered for (the attempt). */
  readonly billId: string;
  readonly status: string;
  /** What the bill asks. */
  readonly amount: number;
  /** What the network owes the merchant so far: the cash inserted, less change sent to a phone. */
  readonly received: number;
  /** All the cash inserted against the code so far. */
  readonly inserted: number;
  /** Change credited to the buyer's phone (rule 'phone'), and that phone, masked. */
  readonly change?: number;
  readonly changePhone?: string;
  readonly terminalId: string;
}

/** A code's check digit by Luhn, so that a mistyped digit is caught by the terminal, not looked up. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export const TERMINAL_CODE_LENGTH = 12;

/** A new code: 11 random digits (the first not zero) and the check digit. */
export function newTerminalCode(): string {
  let body = String(randomInt(1, 10));
  for (let index = 1; index < TERMINAL_CODE_LENGTH - 1; index += 1) body += String(randomInt(0, 10));
  return `${body}${luhnCheckDigit(body)}`;
}

/** The code as typed (spaces and dashes allowed) if it has the right length and check digit. */
export function readTerminalCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(code) || code.length !== TERMINAL_CODE_LENGTH) return undefined;
  return luhnCheckDigit(code.slice(0, -1)) === Number(code.slice(-1)) ? code : undefined;
}

/** The code in groups of four, for people (the voucher, the terminal's screen). */
export function groupTerminalCode(code: string): string {
  return code.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** What one insertion of cash does to a code's operation; pure, so the rule is tested on its own. */
export type InsertionPlan =
  | {
      readonly kind: 'accepted';
      readonly status: 'PARTIAL' | 'COMPLETED';
      readonly insertedMinor: bigint;
      readonly receivedMinor: bigint;
      readonly changeMinor: bigint;
    }
  /** Rule 'phone' and more cash than owed: the terminal asks where to send the change first. */
  | { readonly kind: 'phone_required'; readonly changeMinor: bigint };

export function planInsertion(input: {
  readonly owedMinor: bigint;
  readonly insertedBeforeMinor: bigint;
  readonly insertMinor: bigint;
  readonly rule: CashOverpaymentRule;
  readonly hasPhone: boolean;
}): InsertionPlan {
  const insertedMinor = input.insertedBeforeMinor + input.insertMinor;
  if (insertedMinor < input.owedMinor)
    return {
      kind: 'accepted',
      status: 'PARTIAL',
      insertedMinor,
      receivedMinor: insertedMinor,
      changeMinor: 0n,
    };
  const excessMinor = insertedMinor - input.owedMinor;
  if (input.rule === 'keep' || excessMinor === 0n)
    return {
      kind: 'accepted',
      status: 'COMPLETED',
      insertedMinor,
      receivedMinor: insertedMinor,
      changeMinor: 0n,
    };
  if (!input.hasPhone) return { kind: 'phone_required', changeMinor: excessMinor };
  return {
    kind: 'accepted',
    status: 'COMPLETED',
    insertedMinor,
    receivedMinor: input.owedMinor,
    changeMinor: excessMinor,
  };
}

export class SandboxTerminalProvider implements MethodProvider {
  readonly name = SANDBOX_TERMINAL_PROVIDER;
  readonly kinds = ['cash_terminal'] as const;
  readonly isSandbox = true;
  private readonly secret: Buffer;

  constructor(
    private readonly options: {
      readonly db: Kysely<Database>;
      readonly clock: Clock;
      readonly masterKey: Buffer;
    },
  ) {
    this.secret = sandboxSecret(options.masterKey, SANDBOX_TERMINAL_PROVIDER);
  }

  async start(request: MethodStartRequest): Promise<MethodStartOutcome> {
    const bill = toTerminalBillRequest(request, this.options.clock.now());
    const operation = await this.options.db.transaction().execute(async (trx) => {
      // One issuer at a time: a code is checked free and taken in the same turn.
      await sql`select pg_advisory_xact_lock(hashtext(${`${SANDBOX_TERMINAL_PROVIDER}:codes`}))`.execute(trx);
      return createSandboxOperation(trx, this.options.clock, {
        provider: this.name,
        reference: newSandboxReference('TRM'),
        kind: 'cash_terminal',
        amountMinor: request.amountMinor,
        status: 'ISSUED',
        details: {
          ...bill,
          code: await this.freeCode(trx),
          expiresAt: bill.validUntil,
          amountText: formatMinor(request.amountMinor, 'RUB'),
          insertedMinor: '0',
          insertions: [],
        },
        idempotencyKey: request.attemptId,
      });
    });
    const code = String(operation.details.code);
    return {
      kind: 'started',
      reference: operation.reference,
      instructions: { type: 'payment_code', code },
    };
  }

  /** A code no open (unexpired, unpaid) operation holds; the space is 10^11, so a clash is rare. */
  private async freeCode(trx: Transaction<Database>): Promise<string> {
    const now = this.options.clock.now().toISOString();
    for (let tries = 0; tries < 20; tries += 1) {
      const code = newTerminalCode();
      const holder = await trx
        .selectFrom('sandbox_method_operations')
        .select('reference')
        .where('provider', '=', this.name)
        .where('status', 'in', [...OPEN_TERMINAL_STATUSES])
        .where(({ ref, eb }) => eb(ref('details', '->>').key('code'), '=', code))
        // ISO-8601 UTC strings of one format compare in time order.
        .where(({ ref, eb }) => eb(ref('details', '->>').key('expiresAt'), '>', now))
        .executeTakeFirst();
      if (!holder) return code;
    }
    throw new Error('no free terminal code after 20 tries');
  }

  readCallback(rawBody: string, headers: Readonly<Record<string, string | undefined>>): CallbackReading {
    return readSignedJsonCallback(this.secret, rawBody, headers, (body) => {
      const callback = body as Partial<TerminalCallbackBody>;
      if (
        typeof callback.eventId !== 'string' ||
        typeof callback.operationId !== 'string' ||
        typeof callback.status !== 'string' ||
        !isKopecks(callback.received)
      )
        return undefined;
      return {
        eventId: callback.eventId,
        reference: callback.operationId,
        status: terminalStatusToOurs(callback.status),
        providerStatus: callback.status,
        receivedMinor: BigInt(callback.received),
      };
    });
  }
}

function isKopecks(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/* ---------------------------------------------------------------------------------------------------
 * The network's side of a terminal: finding a code and taking cash against it. Shared by the sandbox
 * terminal page and the terminal API (sandbox-terminal.pages.ts).
 * ------------------------------------------------------------------------------------------------- */

/** The terminal API's key: derived from the installation's master key, so nothing more to configure. */
export function terminalApiKey(masterKey: Buffer): string {
  return sandboxSecret(masterKey, `${SANDBOX_TERMINAL_PROVIDER}:terminal-api`).toString('hex');
}

export function isTerminalApiKeyValid(masterKey: Buffer, presented: string | undefined): boolean {
  return (
    presented !== undefined && constantTimeEqual(terminalApiKey(masterKey), presented.trim().toLowerCase())
  );
}

/** A Russian mobile number as +7 and 10 digits (typed with or without +7/8, spaces, dashes, brackets). */
export function readChangePhone(typed: string): string | undefined {
  const digits = typed.replace(/[\s()+-]/g, '');
  if (!/^\d+$/.test(digits)) return undefined;
  const national = digits.length === 11 && /^[78]/.test(digits) ? digits.slice(1) : digits;
  return /^9\d{9}$/.test(national) ? `+7${national}` : undefined;
}

/** "+7 *** ***-45-67": what a receipt prints, never the whole number. */
export function maskPhone(phone: string): string {
  return `+7 *** ***-${phone.slice(-4, -2)}-${phone.slice(-2)}`;
}

/** The operation a code names: the open one if any, else the latest that had it. */
export async function findTerminalOperationByCode(
  db: Kysely<Database>,
  code: string,
): Promise<SandboxOperation | undefined> {
  return db
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', SANDBOX_TERMINAL_PROVIDER)
    .where(({ ref, eb }) => eb(ref('details', '->>').key('code'), '=', code))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Where a code stands for a terminal: its amounts, read from the operation. */
export interface TerminalBill {
  readonly operationId: string;
  readonly code: string;
  readonly status: string;
  readonly comment: string;
  readonly amountMinor: bigint;
  readonly insertedMinor: bigint;
  readonly receivedMinor: bigint;
  readonly leftMinor: bigint;
  readonly changeMinor: bigint;
  readonly changePhone?: string;
  readonly validUntil: Date;
}

export function terminalBillOf(operation: SandboxOperation): TerminalBill {
  const details = operation.details;
  const insertedMinor = BigInt(String(details.insertedMinor ?? '0'));
  const left = operation.amount_minor - operation.received_minor;
  return {
    operationId: operation.reference,
    code: String(details.code ?? ''),
    status: operation.status,
    comment: typeof details.comment === 'string' ? details.comment : '',
    amountMinor: operation.amount_minor,
    insertedMinor,
    receivedMinor: operation.received_minor,
    leftMinor: left > 0n ? left : 0n,
    changeMinor: BigInt(String(details.changeMinor ?? '0')),
    ...(typeof details.changePhone === 'string' ? { changePhone: maskPhone(details.changePhone) } : {}),
    validUntil: new Date(String(details.expiresAt)),
  };
}

/** Why a terminal refuses a code (or an insertion), in the terminal API's error codes. */
export type CodeRefusal = 'invalid_code' | 'unknown_code' | 'code_expired' | 'code_closed';

export type CodeLookup =
  | { readonly kind: 'found'; readonly operation: SandboxOperation }
  | { readonly kind: 'refused'; readonly reason: CodeRefusal; readonly operation?: SandboxOperation };

/** What a terminal answers when a code is typed: a code past its time or already paid takes no cash. */
export function judgeCode(operation: SandboxOperation | undefined, now: Date): CodeLookup {
  if (!operation) return { kind: 'refused', reason: 'unknown_code' };
  if (!(OPEN_TERMINAL_STATUSES as readonly string[]).includes(operation.status))
    return { kind: 'refused', reason: 'code_closed', operation };
  if (hasSandboxOperationExpired(operation, now))
    return { kind: 'refused', reason: 'code_expired', operation };
  return { kind: 'found', operation };
}

export async function lookUpTerminalCode(
  db: Kysely<Database>,
  now: Date,
  typed: string,
): Promise<CodeLookup> {
  const code = readTerminalCode(typed);
  if (!code) return { kind: 'refused', reason: 'invalid_code' };
  return judgeCode(await findTerminalOperationByCode(db, code), now);
}

export type InsertionResult =
  | {
      readonly kind: 'accepted';
      readonly bill: TerminalBill;
      readonly insertMinor: bigint;
      readonly at: Date;
    }
  | (CodeLookup & { readonly kind: 'refused' })
  | { readonly kind: 'phone_required'; readonly bill: TerminalBill; readonly changeMinor: bigint };

/**
 * Takes `insertMinor` of cash against a code: under the operation's lock, checked open and in time,
 * recorded with the insertion, and told to Kopek by a signed callback in the same transaction.
 */
export async function insertCash(
  options: {
    readonly db: Kysely<Database>;
    readonly clock: Clock;
    readonly masterKey: Buffer;
    readonly rule: CashOverpaymentRule;
  },
  input: {
    readonly code: string;
    readonly insertMinor: bigint;
    readonly terminalId: string;
    readonly phone?: string;
  },
): Promise<InsertionResult> {
  const found = await lookUpTerminalCode(options.db, options.clock.now(), input.code);
  if (found.kind === 'refused') return found;
  return options.db.transaction().execute(async (trx): Promise<InsertionResult> => {
    const now = options.clock.now();
    const judged = judgeCode(
      await lockSandboxOperation(trx, SANDBOX_TERMINAL_PROVIDER, found.operation.reference),
      now,
    );
    if (judged.kind === 'refused') return judged;
    const operation = judged.operation;
    const before = terminalBillOf(operation);
    const plan = planInsertion({
      owedMinor: operation.amount_minor,
      insertedBeforeMinor: before.insertedMinor,
      insertMinor: input.insertMinor,
      rule: options.rule,
      hasPhone: input.phone !== undefined,
    });
    if (plan.kind === 'phone_required')
      return { kind: 'phone_required', bill: before, changeMinor: plan.changeMinor };
    const insertions = Array.isArray(operation.details.insertions) ? operation.details.insertions : [];
    const change =
      plan.changeMinor > 0n && input.phone
        ? { changeMinor: String(plan.changeMinor), changePhone: input.phone }
        : {};
    await updateSandboxOperation(trx, options.clock, operation, {
      status: plan.status,
      receivedMinor: plan.receivedMinor,
      details: {
        insertedMinor: String(plan.insertedMinor),
        insertions: [
          ...insertions,
          { at: now.toISOString(), amountMinor: String(input.insertMinor), terminalId: input.terminalId },
        ],
        ...change,
      },
    });
    const body: TerminalCallbackBody = {
      eventId: createSecretToken(12),
      operationId: operation.reference,
      billId: String(operation.details.billId ?? ''),
      status: plan.status,
      amount: Number(operation.amount_minor),
      received: Number(plan.receivedMinor),
      inserted: Number(plan.insertedMinor),
      ...(plan.changeMinor > 0n && input.phone
        ? { change: Number(plan.changeMinor), changePhone: maskPhone(input.phone) }
        : {}),
      terminalId: input.terminalId,
    };
    await sendSandboxCallback(trx, options.clock, {
      provider: SANDBOX_TERMINAL_PROVIDER,
      secret: sandboxSecret(options.masterKey, SANDBOX_TERMINAL_PROVIDER),
      body,
    });
    const updated = {
      ...operation,
      status: plan.status,
      received_minor: plan.receivedMinor,
      details: { ...operation.details, insertedMinor: String(plan.insertedMinor), ...change },
    };
    return { kind: 'accepted', bill: terminalBillOf(updated), insertMinor: input.insertMinor, at: now };
  });
}
