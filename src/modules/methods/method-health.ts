/**
 * Provider health per method for the back-office: over a window (24 hours or 7 days) how many attempts
 * started and how they ended, and right now how many are still waiting and for how long the oldest has.
 * Non-card methods read method_attempts; the bank card reads card_attempts (approved is paid; processing,
 * challenge and unknown are waiting; a card attempt never expires on its own).
 *
 * The success rate counts finished attempts only (paid / (paid + declined + expired)): an attempt still
 * waiting says nothing yet about the provider, and counting it would make a busy hour look like an outage.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../schema.js';
import { listMethodItems } from './catalog.js';
import { providerForKind, type ProviderInfo, type ProviderSet } from './method-admin.service.js';

export const HEALTH_WINDOWS = { '24h': 24, '7d': 24 * 7 } as const;
export type HealthWindow = keyof typeof HEALTH_WINDOWS;

export interface MethodHealth {
  readonly label: string;
  readonly alias: string;
  readonly name: { ru: string; en: string };
  readonly provider: ProviderInfo | null;
  readonly started: number;
  readonly paid: number;
  readonly declined: number;
  readonly expired: number;
  /** 0..1 over finished attempts; null when none finished in the window. */
  readonly successRate: number | null;
  readonly pendingNow: number;
  /** Seconds the oldest waiting attempt has waited; null when none waits. */
  readonly oldestPendingSeconds: number | null;
}

interface Counts {
  started: number;
  paid: number;
  declined: number;
  expired: number;
}
interface Pending {
  pendingNow: number;
  oldestPendingAt: Date | null;
}

const ZERO_COUNTS: Counts = { started: 0, paid: 0, declined: 0, expired: 0 };
const NO_PENDING: Pending = { pendingNow: 0, oldestPendingAt: null };

async function methodAttemptCounts(db: Kysely<Database>, since: Date): Promise<Map<string, Counts>> {
  const rows = await db
    .selectFrom('method_attempts')
    .select((select) => [
      'method_label',
      select.fn.countAll<string>().as('started'),
      sql<string>`count(*) filter (where status = 'paid')`.as('paid'),
      sql<string>`count(*) filter (where status = 'declined')`.as('declined'),
      sql<string>`count(*) filter (where status = 'expired')`.as('expired'),
    ])
    .where('created_at', '>=', since)
    .groupBy('method_label')
    .execute();
  return new Map(
    rows.map((row) => [
      row.method_label,
      {
        started: Number(row.started),
        paid: Number(row.paid),
        declined: Number(row.declined),
        expired: Number(row.expired),
      },
    ]),
  );
}

async function methodAttemptsPending(db: Kysely<Database>): Promise<Map<string, Pending>> {
  const rows = await db
    .selectFrom('method_attempts')
    .select((select) => [
      'method_label',
      select.fn.countAll<string>().as('pending'),
      select.fn.min('created_at').as('oldest'),
    ])
    .where('status', 'in', ['starting', 'pending'])
    .groupBy('method_label')
    .execute();
  return new Map(
    rows.map((row) => [
      row.method_label,
      { pendingNow: Number(row.pending), oldestPendingAt: row.oldest === null ? null : new Date(row.oldest) },
    ]),
  );
}

async function cardAttemptCounts(db: Kysely<Database>, since: Date): Promise<Counts> {
  const row = await db
    .selectFrom('card_attempts')
    .select((select) => [
      select.fn.countAll<string>().as('started'),
      sql<string>`count(*) filter (where status = 'approved')`.as('paid'),
      sql<string>`count(*) filter (where status = 'declined')`.as('declined'),
    ])
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return { started: Number(row.started), paid: Number(row.paid), declined: Number(row.declined), expired: 0 };
}

async function cardAttemptsPending(db: Kysely<Database>): Promise<Pending> {
  const row = await db
    .selectFrom('card_attempts')
    .select((select) => [
      select.fn.countAll<string>().as('pending'),
      select.fn.min('created_at').as('oldest'),
    ])
    .where('status', 'in', ['processing', 'challenge', 'unknown'])
    .executeTakeFirstOrThrow();
  return {
    pendingNow: Number(row.pending),
    oldestPendingAt: row.oldest === null ? null : new Date(row.oldest),
  };
}

function successRate(counts: Counts): number | null {
  const finished = counts.paid + counts.declined + counts.expired;
  return finished === 0 ? null : counts.paid / finished;
}

/** Every catalogue method's health over the window ending `now`, in catalogue order. */
export async function readMethodHealth(
  db: Kysely<Database>,
  providers: ProviderSet,
  now: Date,
  window: HealthWindow,
): Promise<{ window: HealthWindow; since: string; items: MethodHealth[] }> {
  const since = new Date(now.getTime() - HEALTH_WINDOWS[window] * 3_600_000);
  const [counts, pending, cardCounts, cardPending] = await Promise.all([
    methodAttemptCounts(db, since),
    methodAttemptsPending(db),
    cardAttemptCounts(db, since),
    cardAttemptsPending(db),
  ]);
  const items = listMethodItems().map(({ item }): MethodHealth => {
    const isCard = item.kind === 'bank_card';
    const figures = isCard ? cardCounts : (counts.get(item.label) ?? ZERO_COUNTS);
    const waiting = isCard ? cardPending : (pending.get(item.label) ?? NO_PENDING);
    return {
      label: item.label,
      alias: item.alias,
      name: item.name,
      provider: providerForKind(providers, item.kind),
      ...figures,
      successRate: successRate(figures),
      pendingNow: waiting.pendingNow,
      oldestPendingSeconds:
        waiting.oldestPendingAt === null
          ? null
          : Math.max(0, Math.floor((now.getTime() - waiting.oldestPendingAt.getTime()) / 1000)),
    };
  });
  return { window, since: since.toISOString(), items };
}
