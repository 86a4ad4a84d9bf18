/**
 * The sandbox card acquirer that ships with Kopek: what tests and demos pay with. It moves no money and
 * says so (isSandbox). Like a real acquirer it keeps its operations on its own side, here in the table
 * sandbox_acquirer_operations, so any node can continue an operation another node started and a restart
 * loses nothing. It stores the amount, the currency and the card's last 4 digits: never the number, never
 * the CVC, and it logs nothing.
 *
 * Scenarios by card number (any future expiry, any CVC of the brand's length):
 *   4111 1111 1111 1111  approved, no 3-D Secure
 *   5555 5555 5555 4444  3-D Secure challenge (Mastercard): '123456' approves; a wrong answer asks again
 *                        with one try fewer, and the third wrong answer declines ('challenge_failed');
 *                        a challenge left unanswered for challengeExpiresAfterMs (10 minutes, like an
 *                        issuer's 3-D Secure window) is declined ('challenge_expired')
 *   2200 0000 0000 0004  the same challenge on a Mir card
 *   4000 0000 0000 0002  declined, insufficient funds
 *   4000 0000 0000 0119  no answer in time; fetchStatus says no_answer until noAnswerResolvesAfterMs have
 *                        passed since the operation began, then declined ('acquirer_timeout')
 *   any other card       approved, no 3-D Secure: a demo with any real-looking test number just works, and
 *                        the declines above stay opt-in.
 * With a deferred capture (a hold) an approved operation is an authorization: capture takes all or part
 * of it once (a repeat with the same idempotency key answers the same), voidAuthorization gives it back;
 * after one of them the other is refused.
 * An expired card is declined ('card_expired'); a number failing Luhn, a CVC of the wrong length or an
 * amount that is not positive is declined ('do_not_honor'), as a real acquirer would. A merchant-initiated
 * charge (initiator 'merchant', a recurring payment) needs no CVC, and the challenge cards approve it
 * without 3-D Secure; the decline and no-answer cards behave as above.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { createId } from '../../../platform/ids.js';
import type { Database, SandboxAcquirerOperationsTable } from '../../../schema.js';
import { detectCardBrand, luhnIsValid } from '../card-validation.js';
import {
  isDeclineReason,
  type AcquirerOutcome,
  type CaptureOutcome,
  type CaptureRequest,
  type CardAcquirer,
  type CardAuthorizationRequest,
  type DeclineReason,
  type HoldRefusalReason,
  type VoidOutcome,
} from './card-acquirer.js';

/** The 3-D Secure code the sandbox accepts. */
export const SANDBOX_CHALLENGE_CODE = '123456';
/** Wrong answers allowed: the last one declines. */
export const SANDBOX_CHALLENGE_TRIES = 3;
export const SANDBOX_NO_ANSWER_RESOLVES_AFTER_MS = 60_000;
export const SANDBOX_CHALLENGE_EXPIRES_AFTER_MS = 10 * 60_000;

/** The numbers that choose a scenario; shown on the sandbox checkout page too. */
export const SANDBOX_CARDS = {
  approved: '4111111111111111',
  challenge: '5555555555554444',
  challengeMir: '2200000000000004',
  insufficientFunds: '4000000000000002',
  noAnswer: '4000000000000119',
} as const;

export type SandboxScenario =
  'approved' | 'challenge' | 'insufficient_funds' | 'no_answer' | 'approved_default';

const SCENARIOS_BY_PAN: Readonly<Record<string, SandboxScenario>> = {
  [SANDBOX_CARDS.approved]: 'approved',
  [SANDBOX_CARDS.challenge]: 'challenge',
  [SANDBOX_CARDS.challengeMir]: 'challenge',
  [SANDBOX_CARDS.insufficientFunds]: 'insufficient_funds',
  [SANDBOX_CARDS.noAnswer]: 'no_answer',
};

export function findSandboxScenario(pan: string): SandboxScenario {
  return SCENARIOS_BY_PAN[pan] ?? 'approved_default';
}

export interface SandboxCardAcquirerOptions {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly noAnswerResolvesAfterMs?: number;
  readonly challengeExpiresAfterMs?: number;
}

type OperationRow = Selectable<SandboxAcquirerOperationsTable>;
type OperationState = Pick<OperationRow, 'status' | 'decline_reason'>;

const UNKNOWN_REFERENCE: AcquirerOutcome = { kind: 'declined', reference: null, reason: 'do_not_honor' };

function declined(reason: DeclineReason): OperationState {
  return { status: 'declined', decline_reason: reason };
}

/*
 * A real acquirer returns the RRN and approval code once and the merchant keeps them. The table has no
 * columns for them, so the sandbox derives both from the reference: the same operation always answers
 * with the same pair, on any node.
 */
function deriveDigest(label: string, reference: string): Buffer {
  return createHash('sha256').update(`kopek-sandbox:${label}:${reference}`, 'utf8').digest();
}

export function deriveRrn(reference: string): string {
  const value = BigInt(`0x${deriveDigest('rrn', reference).toString('hex')}`) % 10n ** 12n;
  return value.toString().padStart(12, '0');
}

export function deriveApprovalCode(reference: string): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return [...deriveDigest('approval', reference).subarray(0, 6)]
    .map((byte) => alphabet[byte % alphabet.length])
    .join('');
}

function toOutcome(row: OperationRow): AcquirerOutcome {
  const { reference } = row;
  switch (row.status) {
    case 'approved':
      return {
        kind: 'approved',
        reference,
        rrn: deriveRrn(reference),
        approvalCode: deriveApprovalCode(reference),
      };
    case 'declined':
      return {
        kind: 'declined',
        reference,
        reason: isDeclineReason(row.decline_reason) ? row.decline_reason : 'do_not_honor',
      };
    case 'challenge':
      return {
        kind: 'challenge',
        reference,
        triesLeft: Math.max(0, SANDBOX_CHALLENGE_TRIES - row.challenge_failures),
      };
    case 'no_answer':
      return { kind: 'no_answer', reference };
  }
}

/** An approved operation that reserved the amount instead of charging it: only these are captured or voided. */
function isAuthorization(row: OperationRow): boolean {
  return row.status === 'approved' && row.is_capture_deferred;
}

async function lockOperation(
  trx: Transaction<Database>,
  reference: string,
): Promise<OperationRow | undefined> {
  return trx
    .selectFrom('sandbox_acquirer_operations')
    .selectAll()
    .where('reference', '=', reference)
    .forUpdate()
    .executeTakeFirst();
}

function isCardExpired(card: CardAuthorizationRequest['card'], now: Date): boolean {
  const currentMonthIndex = now.getUTCFullYear() * 12 + now.getUTCMonth();
  return card.expiryYear * 12 + (card.expiryMonth - 1) < currentMonthIndex;
}

/** The operation's first state: the request's own faults first, then the card's scenario. */
function decideInitialState(
  request: CardAuthorizationRequest,
  scenario: SandboxScenario,
  now: Date,
): OperationState {
  const { card } = request;
  const cvcLength = detectCardBrand(card.pan) === 'amex' ? 4 : 3;
  if (request.amountMinor <= 0n || !/^\d{12,19}$/.test(card.pan) || !luhnIsValid(card.pan)) {
    return declined('do_not_honor');
  }
  if (!Number.isInteger(card.expiryMonth) || card.expiryMonth < 1 || card.expiryMonth > 12) {
    return declined('do_not_honor');
  }
  if (isCardExpired(card, now)) return declined('card_expired');
  // A merchant-initiated charge (a recurring payment) has no CVC and nobody to answer 3-D Secure.
  const isMerchantInitiated = request.initiator === 'merchant';
  if (!isMerchantInitiated && !new RegExp(`^\\d{${cvcLength}}$`).test(card.cvc))
    return declined('do_not_honor');
  switch (scenario) {
    case 'approved':
    case 'approved_default':
      return { status: 'approved', decline_reason: null };
    case 'challenge':
      return isMerchantInitiated
        ? { status: 'approved', decline_reason: null }
        : { status: 'challenge', decline_reason: null };
    case 'insufficient_funds':
      return declined('insufficient_funds');
    case 'no_answer':
      return { status: 'no_answer', decline_reason: null };
  }
}

export class SandboxCardAcquirer implements CardAcquirer {
  readonly name = 'sandbox';
  readonly isSandbox = true;
  private readonly db: Kysely<Database>;
  private readonly clock: Clock;
  private readonly noAnswerResolvesAfterMs: number;
  private readonly challengeExpiresAfterMs: number;

  constructor(options: SandboxCardAcquirerOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.noAnswerResolvesAfterMs = options.noAnswerResolvesAfterMs ?? SANDBOX_NO_ANSWER_RESOLVES_AFTER_MS;
    this.challengeExpiresAfterMs = options.challengeExpiresAfterMs ?? SANDBOX_CHALLENGE_EXPIRES_AFTER_MS;
  }

  async authorize(request: CardAuthorizationRequest): Promise<AcquirerOutcome> {
    const now = this.clock.now();
    const scenario = findSandboxScenario(request.card.pan);
    const row = await this.db
      .insertInto('sandbox_acquirer_operations')
      .values({
        reference: createId('sbx'),
        amount_minor: request.amountMinor,
        currency: request.currency,
        card_last4: request.card.pan.slice(-4),
        scenario,
        is_capture_deferred: request.capture === 'deferred',
        ...decideInitialState(request, scenario, now),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toOutcome(row);
  }

  /*
   * The row is locked while the answer is judged, so two answers sent at once (a double click, two nodes)
   * count as two tries, one after the other, and never approve and decline the same operation.
   */
  async answerChallenge(reference: string, answer: string): Promise<AcquirerOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('sandbox_acquirer_operations')
        .selectAll()
        .where('reference', '=', reference)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return UNKNOWN_REFERENCE;
      const settled = await this.settleTimeouts(trx, row);
      if (settled.status !== 'challenge') return toOutcome(settled);
      const failures = row.challenge_failures + 1;
      const next =
        answer.trim() === SANDBOX_CHALLENGE_CODE
          ? { status: 'approved' as const, decline_reason: null }
          : failures >= SANDBOX_CHALLENGE_TRIES
            ? { ...declined('challenge_failed'), challenge_failures: failures }
            : { status: 'challenge' as const, challenge_failures: failures };
      const updated = await trx
        .updateTable('sandbox_acquirer_operations')
        .set({ ...next, updated_at: this.clock.now() })
        .where('reference', '=', reference)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOutcome(updated);
    });
  }

  async fetchStatus(reference: string): Promise<AcquirerOutcome> {
    const row = await this.db
      .selectFrom('sandbox_acquirer_operations')
      .selectAll()
      .where('reference', '=', reference)
      .executeTakeFirst();
    if (!row) return UNKNOWN_REFERENCE;
    return toOutcome(await this.settleTimeouts(this.db, row));
  }

  /*
   * Holds: the row is locked while capture or void is decided, so a capture and a void sent at once
   * (two nodes, a reconcile job and a late request) never both succeed.
   */
  async capture(request: CaptureRequest): Promise<CaptureOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await lockOperation(trx, request.reference);
      const refused = (reason: HoldRefusalReason): CaptureOutcome => ({
        kind: 'refused',
        reference: request.reference,
        reason,
      });
      if (!row || !isAuthorization(row)) return refused('not_authorized');
      if (row.voided_at !== null) return refused('voided');
      if (row.captured_minor !== null) {
        // The same capture asked again (its answer was lost): the same answer, nothing captured twice.
        const isRepeat =
          row.capture_key === request.idempotencyKey && row.captured_minor === request.amountMinor;
        return isRepeat
          ? { kind: 'captured', reference: row.reference, amountMinor: row.captured_minor }
          : refused('already_captured');
      }
      if (request.amountMinor <= 0n || request.amountMinor > row.amount_minor)
        return refused('amount_exceeds_authorization');
      const now = this.clock.now();
      await trx
        .updateTable('sandbox_acquirer_operations')
        .set({
          captured_minor: request.amountMinor,
          capture_key: request.idempotencyKey,
          captured_at: now,
          updated_at: now,
        })
        .where('reference', '=', row.reference)
        .execute();
      return { kind: 'captured', reference: row.reference, amountMinor: request.amountMinor };
    });
  }

  async voidAuthorization(reference: string): Promise<VoidOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const row = await lockOperation(trx, reference);
      if (!row || !isAuthorization(row)) return { kind: 'refused', reference, reason: 'not_authorized' };
      if (row.captured_minor !== null) return { kind: 'refused', reference, reason: 'already_captured' };
      if (row.voided_at === null) {
        const now = this.clock.now();
        await trx
          .updateTable('sandbox_acquirer_operations')
          .set({ voided_at: now, updated_at: now })
          .where('reference', '=', reference)
          .execute();
      }
      return { kind: 'voided', reference };
    });
  }

  /**
   * An operation left waiting becomes a decline once its time has passed: an acquirer that never answered
   * ('acquirer_timeout'), a challenge nobody answered ('challenge_expired'). The update only applies to a
   * row still waiting, so two nodes settling it at once agree on the result.
   */
  private async settleTimeouts(
    executor: Kysely<Database> | Transaction<Database>,
    row: OperationRow,
  ): Promise<OperationRow> {
    const now = this.clock.now();
    const waitedMs = now.getTime() - row.created_at.getTime();
    const timeout =
      row.status === 'no_answer' && waitedMs >= this.noAnswerResolvesAfterMs
        ? declined('acquirer_timeout')
        : row.status === 'challenge' && waitedMs >= this.challengeExpiresAfterMs
          ? declined('challenge_expired')
          : undefined;
    if (!timeout) return row;
    const updated = await executor
      .updateTable('sandbox_acquirer_operations')
      .set({ ...timeout, updated_at: now })
      .where('reference', '=', row.reference)
      .where('status', '=', row.status)
      .returningAll()
      .executeTakeFirst();
    return (
      updated ??
      (await executor
        .selectFrom('sandbox_acquirer_operations')
        .selectAll()
        .where('reference', '=', row.reference)
        .executeTakeFirstOrThrow())
    );
  }
}
