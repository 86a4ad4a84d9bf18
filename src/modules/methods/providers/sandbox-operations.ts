/**
 * What every sandbox method provider shares: its own record of operations (sandbox_method_operations,
 * what a real bank or operator keeps on its side), the HMAC signature on its callbacks, and their
 * delivery. A sandbox delivers a callback as a job (queue SANDBOX_CALLBACK_QUEUE, handled by the payments
 * module's callback intake), so it arrives later and asynchronously, like a real provider's, may be
 * delayed on purpose (an internet bank confirming in minutes), and is checked and deduplicated exactly as
 * a real one is.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import { constantTimeEqual, createSecretToken } from '../../../platform/crypto.js';
import { enqueueJob } from '../../../platform/jobs.js';
import type { Database, SandboxMethodOperationsTable } from '../../../schema.js';
import type {
  CallbackReading,
  MethodEvent,
  MethodRefundOutcome,
  OurMethodStatus,
} from './method-provider.js';

export const SANDBOX_CALLBACK_QUEUE = 'methods.sandbox-callback';
export const SANDBOX_SIGNATURE_HEADER = 'x-sandbox-signature';

export type SandboxOperation = Selectable<SandboxMethodOperationsTable>;
type Executor = Kysely<Database> | Transaction<Database>;

export interface SandboxCallbackJob {
  readonly provider: string;
  readonly body: string;
  readonly signature: string;
}

/** The shared secret of one sandbox provider, derived from the installation's master key. */
export function sandboxSecret(masterKey: Buffer, provider: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), `kopek:sandbox-provider:${provider}`, 32),
  );
}

export function signSandboxBody(secret: Buffer, body: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export function isSandboxSignatureValid(
  secret: Buffer,
  body: string,
  signature: string | undefined,
): boolean {
  return signature !== undefined && constantTimeEqual(signSandboxBody(secret, body), signature.toLowerCase());
}

/** The reference of a new operation: the provider's prefix and a random part. */
export function newSandboxReference(prefix: string): string {
  return `${prefix}${createSecretToken(12).replace(/[-_]/g, 'x')}`;
}

/**
 * Records an operation once per idempotency key (our attempt id): a repeated start with the same key
 * returns the operation the first one created.
 */
export async function createSandboxOperation(
  db: Executor,
  clock: Clock,
  input: {
    readonly provider: string;
    readonly reference: string;
    readonly kind: string;
    readonly amountMinor: bigint;
    readonly status: string;
    readonly details: Record<string, unknown>;
    readonly idempotencyKey: string;
  },
): Promise<SandboxOperation> {
  const existing = await db
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', input.provider)
    .where(({ ref, eb }) => eb(ref('details', '->>').key('idempotencyKey'), '=', input.idempotencyKey))
    .executeTakeFirst();
  if (existing) return existing;
  const now = clock.now();
  return db
    .insertInto('sandbox_method_operations')
    .values({
      provider: input.provider,
      reference: input.reference,
      kind: input.kind,
      amount_minor: input.amountMinor,
      status: input.status,
      details: JSON.stringify({ ...input.details, idempotencyKey: input.idempotencyKey }),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSandboxOperation(
  db: Executor,
  provider: string,
  reference: string,
): Promise<SandboxOperation | undefined> {
  return db
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', provider)
    .where('reference', '=', reference)
    .executeTakeFirst();
}

/** Locks the operation for a change (two clicks on "confirm" change it once). */
export async function lockSandboxOperation(
  trx: Transaction<Database>,
  provider: string,
  reference: string,
): Promise<SandboxOperation | undefined> {
  return trx
    .selectFrom('sandbox_method_operations')
    .selectAll()
    .where('provider', '=', provider)
    .where('reference', '=', reference)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateSandboxOperation(
  trx: Transaction<Database>,
  clock: Clock,
  operation: SandboxOperation,
  change: { status?: string; receivedMinor?: bigint; details?: Record<string, unknown> },
): Promise<void> {
  await trx
    .updateTable('sandbox_method_operations')
    .set({
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.receivedMinor !== undefined ? { received_minor: change.receivedMinor } : {}),
      ...(change.details !== undefined
        ? { details: JSON.stringify({ ...operation.details, ...change.details }) }
        : {}),
      updated_at: clock.now(),
    })
    .where('provider', '=', operation.provider)
    .where('reference', '=', operation.reference)
    .execute();
}

/** Signs a callback body and queues its delivery, optionally later (`delayMs`). */
export async function sendSandboxCallback(
  trx: Executor,
  clock: Clock,
  input: {
    readonly provider: string;
    readonly secret: Buffer;
    readonly body: unknown;
    readonly delayMs?: number;
  },
): Promise<void> {
  const body = JSON.stringify(input.body);
  const job: SandboxCallbackJob = {
    provider: input.provider,
    body,
    signature: signSandboxBody(input.secret, body),
  };
  await enqueueJob(trx, clock, {
    queue: SANDBOX_CALLBACK_QUEUE,
    payload: job,
    ...(input.delayMs ? { runAt: new Date(clock.now().getTime() + input.delayMs) } : {}),
  });
}

/** A provider's status read through its table; a status it does not list is 'unknown', never paid. */
export function statusFromTable(
  table: Readonly<Record<string, OurMethodStatus>>,
  status: string,
): OurMethodStatus {
  return Object.hasOwn(table, status) ? (table[status] as OurMethodStatus) : 'unknown';
}

/** The return URL the start request gave (kept in the operation's details), or '' without one. */
export function returnUrlOf(operation: SandboxOperation): string {
  return typeof operation.details.returnUrl === 'string' ? operation.details.returnUrl : '';
}

/**
 * A refund of a paid sandbox operation, as the providers do it: under the operation's lock, once per
 * refund id (the same id again answers the first refund), and never more in all than was paid.
 */
export async function refundSandboxOperation(
  db: Kysely<Database>,
  clock: Clock,
  input: {
    readonly provider: string;
    readonly reference: string;
    readonly amountMinor: bigint;
    readonly refundId: string;
    readonly isPaid: (operation: SandboxOperation) => boolean;
    /** The provider's word for a refund above what is left to refund. */
    readonly tooMuchReason: string;
    readonly refund: {
      readonly referencePrefix: string;
      readonly kind: string;
      readonly status: string;
      readonly details?: (original: SandboxOperation) => Record<string, unknown>;
    };
  },
): Promise<MethodRefundOutcome> {
  const idempotencyKey = `refund:${input.refundId}`;
  return db.transaction().execute(async (trx): Promise<MethodRefundOutcome> => {
    const original = await lockSandboxOperation(trx, input.provider, input.reference);
    if (!original || !input.isPaid(original)) return { kind: 'refused', reason: 'operation_not_paid' };
    const earlier = await trx
      .selectFrom('sandbox_method_operations')
      .selectAll()
      .where('provider', '=', input.provider)
      .where('kind', '=', input.refund.kind)
      .where(({ ref, eb }) => eb(ref('details', '->>').key('originalReference'), '=', original.reference))
      .execute();
    const repeated = earlier.find((refund) => refund.details.idempotencyKey === idempotencyKey);
    if (repeated) return { kind: 'refunded', reference: repeated.reference };
    const refundedMinor = earlier.reduce((sum, refund) => sum + refund.amount_minor, 0n);
    if (input.amountMinor <= 0n || refundedMinor + input.amountMinor > original.amount_minor)
      return { kind: 'refused', reason: input.tooMuchReason };
    const refund = await createSandboxOperation(trx, clock, {
      provider: input.provider,
      reference: newSandboxReference(input.refund.referencePrefix),
      kind: input.refund.kind,
      amountMinor: input.amountMinor,
      status: input.refund.status,
      details: { originalReference: original.reference, ...input.refund.details?.(original) },
      idempotencyKey,
    });
    return { kind: 'refunded', reference: refund.reference };
  });
}

/** Whether a sandbox operation's time is over (the QR, code or confirmation window expired). */
export function hasSandboxOperationExpired(operation: SandboxOperation, now: Date): boolean {
  const expiresAt = operation.details.expiresAt;
  return typeof expiresAt === 'string' && new Date(expiresAt).getTime() <= now.getTime();
}

/**
 * Reads a sandbox provider's callback: the HMAC header first (nothing of an unsigned body is trusted),
 * then the JSON, then the provider's own fields through `read`.
 */
export function readSignedJsonCallback(
  secret: Buffer,
  rawBody: string,
  headers: Readonly<Record<string, string | undefined>>,
  read: (body: unknown) => MethodEvent | undefined,
): CallbackReading {
  const payload = parseJson(rawBody);
  if (!isSandboxSignatureValid(secret, rawBody, headers[SANDBOX_SIGNATURE_HEADER]))
    return { ok: false, reason: 'bad_signature', payload };
  const event = payload !== null && typeof payload === 'object' ? read(payload) : undefined;
  return event ? { ok: true, event, payload } : { ok: false, reason: 'malformed', payload };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
