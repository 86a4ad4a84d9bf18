/**
 * The phone-balance sandbox provider: a mobile operator's "mobile commerce" service, which takes the
 * price of a purchase from the subscriber's phone account after the subscriber confirms it with a code
 * sent by SMS. The buyer types the phone on the checkout page; the number is normalised (+7XXXXXXXXXX),
 * its operator is found by the number's DEF code (the table below), the operator's limits are checked
 * (per payment, and per phone per Moscow day), and the operator "sends" a 6-digit code: the SMS goes to
 * sandbox_sms (read on the sandbox SMS log, sandbox-phone.pages.ts), and only an HMAC of the code is
 * kept with the operation. The buyer types the code on our page (`confirm`): the right one charges the
 * phone and the operator sends its signed callback; 3 wrong codes, or a code past its time (the
 * attempt's, KOPEK_PHONE_TTL_MINUTES, default 10), decline it. A phone payment cannot be refunded.
 *
 * Sandbox DEF codes and limits (figures modelled on the operators' mobile-commerce rules: at most
 * 15 000 ₽ a payment, lower for some operators so that every limit can be tried):
 *
 * | Operator | DEF codes (+7 XXX)                                  | Per payment | Per day  |
 * |----------|-----------------------------------------------------|-------------|----------|
 * | MTS      | 910–919, 980–989                                    | 15 000 ₽    | 40 000 ₽ |
 * | Beeline  | 903, 905, 906, 909, 960–968                         | 15 000 ₽    | 30 000 ₽ |
 * | MegaFon  | 920–939, 997, 999                                   | 10 000 ₽    | 25 000 ₽ |
 * | Tele2    | 900–902, 904, 908, 950–953, 958, 977, 991–996       |  5 000 ₽    | 15 000 ₽ |
 *
 * Any other 9XX code (907, 940–949, 970–976, 990, 998...) is 'unknown_operator'. A number ending in
 * 0000 has no money on its account: the right code is then declined for 'insufficient_funds'.
 *
 * Its vocabulary: CODE_SENT (waiting for the code), PROCESSING (charging), CHARGED, REJECTED (with a
 * reason: too_many_attempts, insufficient_funds, limit_per_day), TIMEOUT (the code expired).
 */
import { randomInt } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { constantTimeEqual, createSecretToken } from '../../../platform/crypto.js';
import { formatMoneyForPeople } from '../../../platform/money.js';
import type { Database } from '../../../schema.js';
import { moscowDay, moscowMidnight } from '../../balances/index.js';
import {
  createSandboxOperation,
  hasSandboxOperationExpired,
  lockSandboxOperation,
  newSandboxReference,
  readSignedJsonCallback,
  sandboxSecret,
  sendSandboxCallback,
  signSandboxBody,
  updateSandboxOperation,
  type SandboxOperation,
  statusFromTable,
} from './sandbox-operations.js';
import type {
  CallbackReading,
  ConfirmOutcome,
  MethodProvider,
  MethodStartOutcome,
  MethodStartRequest,
  OurMethodStatus,
} from './method-provider.js';

export const SANDBOX_PHONE_PROVIDER = 'sandbox-phone';
export const SMS_CODE_LENGTH = 6;
/** Wrong codes before the operator gives up on the payment. */
export const MAX_WRONG_CODES = 3;

const RUBLES = 100n;

export type OperatorId = 'mts' | 'beeline' | 'megafon' | 'tele2';

export interface MobileOperator {
  readonly id: OperatorId;
  /** The operator's brand: the SMS sender and what checkout shows. */
  readonly name: string;
  readonly perPaymentMinor: bigint;
  readonly perDayMinor: bigint;
}

export const MOBILE_OPERATORS: Readonly<Record<OperatorId, MobileOperator>> = {
  mts: { id: 'mts', name: 'MTS', perPaymentMinor: 15_000n * RUBLES, perDayMinor: 40_000n * RUBLES },
  beeline: {
    id: 'beeline',
    name: 'Beeline',
    perPaymentMinor: 15_000n * RUBLES,
    perDayMinor: 30_000n * RUBLES,
  },
  megafon: {
    id: 'megafon',
    name: 'MegaFon',
    perPaymentMinor: 10_000n * RUBLES,
    perDayMinor: 25_000n * RUBLES,
  },
  tele2: { id: 'tele2', name: 'Tele2', perPaymentMinor: 5_000n * RUBLES, perDayMinor: 15_000n * RUBLES },
};

/** DEF codes (the three digits after +7) by operator, inclusive ranges: the table in the header. */
export const DEF_CODE_RANGES: readonly {
  readonly from: number;
  readonly to: number;
  readonly operator: OperatorId;
}[] = [
  { from: 900, to: 902, operator: 'tele2' },
  { from: 903, to: 903, operator: 'beeline' },
  { from: 904, to: 904, operator: 'tele2' },
  { from: 905, to: 906, operator: 'beeline' },
  { from: 908, to: 908, operator: 'tele2' },
  { from: 909, to: 909, operator: 'beeline' },
  { from: 910, to: 919, operator: 'mts' },
  { from: 920, to: 939, operator: 'megafon' },
  { from: 950, to: 953, operator: 'tele2' },
  { from: 958, to: 958, operator: 'tele2' },
  { from: 960, to: 968, operator: 'beeline' },
  { from: 977, to: 977, operator: 'tele2' },
  { from: 980, to: 989, operator: 'mts' },
  { from: 991, to: 996, operator: 'tele2' },
  { from: 997, to: 997, operator: 'megafon' },
  { from: 999, to: 999, operator: 'megafon' },
];

/**
 * A Russian mobile number as typed ("+7 (916) 123-45-67", "8 916 1234567", "79161234567") in the form
 * +7XXXXXXXXXX; undefined for anything else (another country, a landline, too few digits).
 */
export function normalizeRussianMobile(typed: string): string | undefined {
  const compact = typed.trim().replace(/[\s()-]/g, '');
  const match = /^(?:\+7|7|8)(9\d{9})$/.exec(compact);
  return match ? `+7${match[1]}` : undefined;
}

/** The operator of a normalised number, by its DEF code; undefined outside every range. */
export function operatorOfPhone(phone: string): MobileOperator | undefined {
  const defCode = Number(phone.slice(2, 5));
  const range = DEF_CODE_RANGES.find((candidate) => defCode >= candidate.from && defCode <= candidate.to);
  return range ? MOBILE_OPERATORS[range.operator] : undefined;
}

/** "+7 9** ***-**-67": enough for the buyer to recognise the number, nothing more. */
export function maskPhone(phone: string): string {
  return `+7 ${phone.charAt(2)}** ***-**-${phone.slice(-2)}`;
}

/** "+7 916 123-45-67": the whole number for people (the sandbox SMS log). */
export function formatPhone(phone: string): string {
  return phone.replace(/^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/, '+7 $1 $2-$3-$4');
}

/** The test numbers whose account is empty: the right code is declined for lack of money. */
export function isEmptyTestAccount(phone: string): boolean {
  return phone.endsWith('0000');
}

/** Whether the operator takes `amountMinor` now, given what the phone already paid today. */
export function operatorLimitProblem(
  operator: MobileOperator,
  amountMinor: bigint,
  paidTodayMinor: bigint,
): 'limit_per_payment' | 'limit_per_day' | undefined {
  if (amountMinor > operator.perPaymentMinor) return 'limit_per_payment';
  if (paidTodayMinor + amountMinor > operator.perDayMinor) return 'limit_per_day';
  return undefined;
}

/** The start of the Moscow calendar day of an instant: the operators' limits count from there. */
export function moscowDayStart(now: Date): Date {
  return moscowMidnight(moscowDay(now));
}

/** The charge request an operator's mobile-commerce API takes (our request, in its words). */
export interface OperatorChargeRequest {
  /** The subscriber: 11 digits, no plus. */
  readonly msisdn: string;
  readonly operator: OperatorId;
  /** Kopecks: phone accounts are in roubles only. */
  readonly amount: number;
  readonly currency: 'RUB';
  /** Shown in the SMS: at most 60 characters. */
  readonly purpose: string;
  readonly clientTransactionId: string;
  /** The code's life in seconds. */
  readonly confirmTtl: number;
}

export function toOperatorChargeRequest(
  request: MethodStartRequest,
  phone: string,
  operator: MobileOperator,
  now: Date,
): OperatorChargeRequest {
  return {
    msisdn: phone.slice(1),
    operator: operator.id,
    amount: Number(request.amountMinor),
    currency: 'RUB',
    purpose: request.description.slice(0, 60),
    clientTransactionId: request.attemptId,
    confirmTtl: Math.max(1, Math.round((request.expiresAt.getTime() - now.getTime()) / 1000)),
  };
}

const OPERATOR_STATUSES: Readonly<Record<string, OurMethodStatus>> = {
  CODE_SENT: 'pending',
  PROCESSING: 'pending',
  CHARGED: 'paid',
  REJECTED: 'declined',
  TIMEOUT: 'expired',
};

/** The operator's status in our terms; anything else is 'unknown' and never counts as paid. */
export function operatorStatusToOurs(status: string): OurMethodStatus {
  return statusFromTable(OPERATOR_STATUSES, status);
}

/** The callback the sandbox operator sends when a payment is charged or given up. Amounts in kopecks. */
export interface OperatorCallbackBody {
  readonly eventId: string;
  /** The operator's transaction (our provider reference). */
  readonly transactionId: string;
  readonly clientTransactionId: string;
  readonly status: string;
  readonly amount: number;
  readonly operator: string;
  /** The subscriber, masked. */
  readonly maskedMsisdn: string;
  readonly reason?: string;
}

/** The SMS the operator sends: the code, the amount and what it pays for, in Russian. */
export function smsCodeText(code: string, amountMinor: bigint, purpose: string): string {
  const amount = formatMoneyForPeople(amountMinor, 'RUB', 'ru');
  return `Код ${code} для оплаты ${amount} со счёта телефона: «${purpose}». Никому не сообщайте код.`;
}

/** A new code: six random digits (leading zeros allowed). */
export function newSmsCode(): string {
  return String(randomInt(0, 10 ** SMS_CODE_LENGTH)).padStart(SMS_CODE_LENGTH, '0');
}

/** What is kept of a code: its HMAC, bound to the operation, so a leaked record does not reveal it. */
export function smsCodeHash(secret: Buffer, reference: string, code: string): string {
  return signSandboxBody(secret, `sms-code:${reference}:${code}`);
}

type Executor = Kysely<Database> | Transaction<Database>;

/** What a phone paid through the operator since Moscow midnight (charged operations). */
export async function paidTodayByPhone(db: Executor, phone: string, now: Date): Promise<bigint> {
  const row = await db
    .selectFrom('sandbox_method_operations')
    .select(({ fn }) => fn.coalesce(fn.sum<string>('amount_minor'), sql<string>`0`).as('total'))
    .where('provider', '=', SANDBOX_PHONE_PROVIDER)
    .where('status', '=', 'CHARGED')
    .where(({ ref, eb }) => eb(ref('details', '->>').key('phone'), '=', phone))
    .where('updated_at', '>=', moscowDayStart(now))
    .executeTakeFirst();
  return BigInt(row?.total ?? 0);
}

export class SandboxPhoneProvider implements MethodProvider {
  readonly name = SANDBOX_PHONE_PROVIDER;
  readonly kinds = ['phone_balance'] as const;
  readonly isSandbox = true;
  private readonly secret: Buffer;

  constructor(
    private readonly options: {
      readonly db: Kysely<Database>;
      readonly clock: Clock;
      readonly masterKey: Buffer;
    },
  ) {
    this.secret = sandboxSecret(options.masterKey, SANDBOX_PHONE_PROVIDER);
  }

  async start(request: MethodStartRequest): Promise<MethodStartOutcome> {
    const phone = normalizeRussianMobile(request.buyerInput.phone ?? '');
    if (!phone) return { kind: 'refused', reason: 'invalid_phone', field: 'phone' };
    const operator = operatorOfPhone(phone);
    if (!operator) return { kind: 'refused', reason: 'unknown_operator', field: 'phone' };
    const now = this.options.clock.now();
    const paidToday = await paidTodayByPhone(this.options.db, phone, now);
    const limit = operatorLimitProblem(operator, request.amountMinor, paidToday);
    if (limit) return { kind: 'refused', reason: limit };
    const operation = await this.sendCode(request, phone, operator, now);
    const maskedPhone = maskPhone(phone);
    return {
      kind: 'started',
      reference: operation.reference,
      instructions: { type: 'sms_confirmation', maskedPhone, operator: operator.name },
      details: { maskedAccount: maskedPhone, operator: operator.name },
    };
  }

  /** Records the operation and its SMS together; a repeated start returns the first without a new SMS. */
  private async sendCode(
    request: MethodStartRequest,
    phone: string,
    operator: MobileOperator,
    now: Date,
  ): Promise<SandboxOperation> {
    const reference = newSandboxReference('MC1');
    const code = newSmsCode();
    const charge = toOperatorChargeRequest(request, phone, operator, now);
    return this.options.db.transaction().execute(async (trx) => {
      const operation = await createSandboxOperation(trx, this.options.clock, {
        provider: this.name,
        reference,
        kind: 'phone_balance',
        amountMinor: request.amountMinor,
        status: 'CODE_SENT',
        details: {
          ...charge,
          phone,
          codeHash: smsCodeHash(this.secret, reference, code),
          wrongCodes: 0,
          expiresAt: request.expiresAt.toISOString(),
        },
        idempotencyKey: request.attemptId,
      });
      if (operation.reference === reference)
        await trx
          .insertInto('sandbox_sms')
          .values({
            phone,
            sender: operator.name,
            body: smsCodeText(code, request.amountMinor, charge.purpose),
            created_at: now,
          })
          .execute();
      return operation;
    });
  }

  async confirm(reference: string, input: Readonly<Record<string, string>>): Promise<ConfirmOutcome> {
    const code = (input.code ?? '').replace(/\s/g, '');
    return this.options.db.transaction().execute(async (trx) => {
      const operation = await lockSandboxOperation(trx, this.name, reference);
      if (!operation) return { kind: 'declined', reason: 'unknown_operation' } as const;
      if (operation.status === 'CHARGED') return { kind: 'accepted' } as const;
      if (operation.status !== 'CODE_SENT') return { kind: 'declined', reason: reasonOf(operation) } as const;
      if (hasSandboxOperationExpired(operation, this.options.clock.now()))
        return this.finish(trx, operation, 'TIMEOUT', 'code_expired');
      const wrongCodes = Number(operation.details.wrongCodes ?? 0);
      // An empty form is not a guess: it costs no try.
      if (code === '') return { kind: 'wrong_code', triesLeft: MAX_WRONG_CODES - wrongCodes } as const;
      if (!this.isRightCode(operation, code)) return this.countWrongCode(trx, operation, wrongCodes + 1);
      return this.charge(trx, operation);
    });
  }

  private isRightCode(operation: SandboxOperation, code: string): boolean {
    const kept = operation.details.codeHash;
    return (
      typeof kept === 'string' && constantTimeEqual(smsCodeHash(this.secret, operation.reference, code), kept)
    );
  }

  private async countWrongCode(
    trx: Transaction<Database>,
    operation: SandboxOperation,
    wrongCodes: number,
  ): Promise<ConfirmOutcome> {
    if (wrongCodes >= MAX_WRONG_CODES)
      return this.finish(trx, operation, 'REJECTED', 'too_many_attempts', wrongCodes);
    await updateSandboxOperation(trx, this.options.clock, operation, { details: { wrongCodes } });
    return { kind: 'wrong_code', triesLeft: MAX_WRONG_CODES - wrongCodes };
  }

  /** The right code: the operator charges the phone unless the day's limit or the balance stops it. */
  private async charge(trx: Transaction<Database>, operation: SandboxOperation): Promise<ConfirmOutcome> {
    const phone = String(operation.details.phone);
    const operatorId = operation.details.operator as OperatorId;
    // Two payments of one phone confirmed at once are charged one after the other, within the limit.
    await sql`select pg_advisory_xact_lock(hashtext(${`${this.name}:${phone}`}))`.execute(trx);
    const paidToday = await paidTodayByPhone(trx, phone, this.options.clock.now());
    const limit = operatorLimitProblem(MOBILE_OPERATORS[operatorId], operation.amount_minor, paidToday);
    if (limit) return this.finish(trx, operation, 'REJECTED', limit);
    if (isEmptyTestAccount(phone)) return this.finish(trx, operation, 'REJECTED', 'insufficient_funds');
    await updateSandboxOperation(trx, this.options.clock, operation, {
      status: 'CHARGED',
      receivedMinor: operation.amount_minor,
      details: { chargedAt: this.options.clock.now().toISOString() },
    });
    await this.notify(trx, operation, 'CHARGED');
    return { kind: 'accepted' };
  }

  /** Ends the operation without money and tells Kopek why. */
  private async finish(
    trx: Transaction<Database>,
    operation: SandboxOperation,
    status: 'REJECTED' | 'TIMEOUT',
    reason: string,
    wrongCodes?: number,
  ): Promise<ConfirmOutcome> {
    await updateSandboxOperation(trx, this.options.clock, operation, {
      status,
      details: { declineReason: reason, ...(wrongCodes !== undefined ? { wrongCodes } : {}) },
    });
    await this.notify(trx, operation, status, reason);
    return { kind: 'declined', reason };
  }

  private async notify(
    trx: Transaction<Database>,
    operation: SandboxOperation,
    status: string,
    reason?: string,
  ): Promise<void> {
    const body: OperatorCallbackBody = {
      eventId: createSecretToken(12),
      transactionId: operation.reference,
      clientTransactionId: String(operation.details.clientTransactionId ?? ''),
      status,
      amount: Number(operation.amount_minor),
      operator: MOBILE_OPERATORS[operation.details.operator as OperatorId]?.name ?? '',
      maskedMsisdn: maskPhone(String(operation.details.phone ?? '')),
      ...(reason ? { reason } : {}),
    };
    await sendSandboxCallback(trx, this.options.clock, { provider: this.name, secret: this.secret, body });
  }

  readCallback(rawBody: string, headers: Readonly<Record<string, string | undefined>>): CallbackReading {
    return readSignedJsonCallback(this.secret, rawBody, headers, (body) => {
      const callback = body as Partial<OperatorCallbackBody>;
      if (
        typeof callback.eventId !== 'string' ||
        typeof callback.transactionId !== 'string' ||
        typeof callback.status !== 'string' ||
        typeof callback.amount !== 'number' ||
        !Number.isSafeInteger(callback.amount)
      )
        return undefined;
      return {
        eventId: callback.eventId,
        reference: callback.transactionId,
        status: operatorStatusToOurs(callback.status),
        providerStatus: callback.status,
        receivedMinor: BigInt(callback.amount),
        ...(typeof callback.maskedMsisdn === 'string' ? { maskedAccount: callback.maskedMsisdn } : {}),
        ...(typeof callback.reason === 'string' ? { declineReason: callback.reason } : {}),
      };
    });
  }
}

function reasonOf(operation: SandboxOperation): string {
  const reason = operation.details.declineReason;
  return typeof reason === 'string' ? reason : operation.status;
}
