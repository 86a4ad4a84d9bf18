/**
 * When the 'fiscal.register' job runs for a receipt. One slot at a time: the receipt's next_attempt_at
 * and the job's scheduledFor must match, so a callback or a retry that sets a new slot makes any older
 * job do nothing (no two runs of one receipt overlap).
 *
 * Limits (reference atol-online.md §1.7, §1.12): at most one report request per second per group (all
 * nodes share fiscal_report_slots); polls back off from 1 s to 5 min; ATOL itself gives up on a queued
 * document after 300 s, so 30 polls (about 110 minutes) are far more than a healthy service needs.
 * Registration calls that get no answer back off from 5 s to 1 h, 10 of them (about 2 hours). After
 * either limit the receipt waits for a retry from the cabinet, which grants another round.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { enqueueJob } from '../../platform/jobs.js';
import type { Database } from '../../schema.js';
import { withFiscalTablesInTransaction } from './fiscal.tables.js';

export const FISCAL_QUEUE = 'fiscal.register';
export const AUTOMATIC_ATTEMPTS = 10;
export const AUTOMATIC_POLLS = 30;
/** A run that claimed its receipt this long ago without recording anything has died with its worker. */
export const RUN_LEASE_MS = 10 * 60_000;
export const REPORT_INTERVAL_MS = 1_000;

const POLL_DELAYS_MS = [1_000, 2_000, 3_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000];
const REGISTRATION_DELAYS_MS = [
  5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000, 3_600_000,
];

/** The pause before poll number `pollsDone + 1` of a uuid. */
export function pollDelayMs(pollsDone: number): number {
  return POLL_DELAYS_MS[Math.min(pollsDone, POLL_DELAYS_MS.length - 1)] ?? 300_000;
}

/** The pause after the `attemptsDone`-th registration call got no answer. */
export function registrationRetryDelayMs(attemptsDone: number): number {
  return (
    REGISTRATION_DELAYS_MS[Math.min(Math.max(attemptsDone - 1, 0), REGISTRATION_DELAYS_MS.length - 1)] ??
    3_600_000
  );
}

export interface FiscalJob {
  readonly receiptId: string;
  readonly scheduledFor: Date;
  /** The run already holds a report slot of its group (it was rescheduled to it). */
  readonly hasReportSlot: boolean;
}

export function parseFiscalJob(payload: unknown): FiscalJob {
  const { receiptId, scheduledFor, hasReportSlot } = (payload ?? {}) as Record<string, unknown>;
  if (typeof receiptId !== 'string' || !/^fsr_[0-9a-z]{1,40}$/.test(receiptId))
    throw new Error('fiscal.register: malformed receiptId');
  const scheduledAt = typeof scheduledFor === 'string' ? new Date(scheduledFor) : new Date(NaN);
  if (Number.isNaN(scheduledAt.getTime())) throw new Error('fiscal.register: malformed scheduledFor');
  return { receiptId, scheduledFor: scheduledAt, hasReportSlot: hasReportSlot === true };
}

/** Sets the receipt's slot and enqueues its job, in the caller's transaction. */
export async function scheduleReceiptRun(
  trx: Transaction<Database>,
  clock: Clock,
  receiptId: string,
  at: Date,
  hasReportSlot = false,
): Promise<void> {
  await withFiscalTablesInTransaction(trx)
    .updateTable('fiscal_receipts')
    .set({ next_attempt_at: at })
    .where('id', '=', receiptId)
    .execute();
  await enqueueJob(trx, clock, {
    queue: FISCAL_QUEUE,
    payload: { receiptId, scheduledFor: at.toISOString(), ...(hasReportSlot ? { hasReportSlot: true } : {}) },
    runAt: at,
  });
}

/**
 * Reserves the group's next free report second (one statement, shared by every node): answers the
 * moment this poll may be sent, now or later.
 */
export async function reserveReportSlot(db: Kysely<Database>, groupKey: string, now: Date): Promise<Date> {
  const interval = `${REPORT_INTERVAL_MS} milliseconds`;
  const result = await sql<{ slot_at: Date }>`
    insert into fiscal_report_slots (group_key, next_slot_at)
    values (${groupKey}, ${new Date(now.getTime() + REPORT_INTERVAL_MS)})
    on conflict (group_key) do update
      set next_slot_at = greatest(fiscal_report_slots.next_slot_at, ${now}) + ${interval}::interval
    returning next_slot_at - ${interval}::interval as slot_at`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('reserveReportSlot: no row');
  return row.slot_at;
}
