/**
 * The operator's platform dashboard: how the platform is doing over a recent window (default 24 hours).
 * - volumes: payments created and paid, live turnover per currency;
 * - success by method: paid ÷ (paid + declined) of the window's payments that reached an outcome;
 * - ResultURL deliveries: attempts in the window and the share that failed, notifications given up;
 * - job queue: pending jobs per queue with the age of the oldest due one (a growing age means the
 *   workers do not keep up), and jobs that failed for good in the window.
 * Reads only; every query is bounded by the window (BRIN indexes of migration 0028).
 */
import { sql, type Kysely } from 'kysely';
import { formatMinor, type Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';

export interface MethodFigures {
  readonly method: string;
  readonly paid: number;
  readonly declined: number;
  /** Paid ÷ (paid + declined); null without outcomes. */
  readonly successRate: number | null;
}

export interface QueueFigures {
  readonly queue: string;
  readonly pending: number;
  readonly running: number;
  /** Seconds since the oldest pending job became due; 0 when none is due. */
  readonly oldestDueAgeSeconds: number;
  readonly failedInWindow: number;
}

export interface PlatformDashboard {
  readonly windowHours: number;
  readonly since: string;
  readonly payments: { created: number; paid: number; turnover: { currency: string; amount: string }[] };
  readonly methods: MethodFigures[];
  readonly notifications: {
    readonly attempts: number;
    readonly failedAttempts: number;
    readonly failureRate: number | null;
    readonly givenUp: number;
    readonly pending: number;
  };
  readonly queues: QueueFigures[];
}

const share = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

export async function readPlatformDashboard(
  db: Kysely<Database>,
  now: Date,
  windowHours: number,
): Promise<PlatformDashboard> {
  const since = new Date(now.getTime() - windowHours * 3_600_000);
  const [volumes, turnover, methods, attempts, notifications, queues] = await Promise.all([
    sql<{ created: string; paid: string }>`
      select count(*)::text as created, count(*) filter (where paid_at is not null)::text as paid
      from payments where created_at >= ${since} and not is_test`.execute(db),
    sql<{ currency: Currency; total: string }>`
      select currency, sum(amount_minor)::text as total from payments
      where paid_at >= ${since} and not is_test and paid_at is not null group by currency order by currency`.execute(
      db,
    ),
    sql<{ method: string; paid: string; declined: string }>`
      select coalesce(payment_method, inc_curr_label, 'BankCard') as method,
        count(*) filter (where status = 'paid')::text as paid,
        count(*) filter (where status = 'failed')::text as declined
      from payments where created_at >= ${since} and not is_test and status in ('paid', 'failed')
      group by 1 order by 1`.execute(db),
    sql<{ total: string; failed: string }>`
      select count(*)::text as total, count(*) filter (where not is_success)::text as failed
      from notification_attempts where started_at >= ${since}`.execute(db),
    sql<{ given_up: string; pending: string }>`
      select count(*) filter (where status = 'failed' and created_at >= ${since})::text as given_up,
        count(*) filter (where status = 'pending')::text as pending
      from notifications where status in ('failed', 'pending')`.execute(db),
    sql<{ queue: string; pending: string; running: string; oldest_due: Date | null; failed: string }>`
      select queue,
        count(*) filter (where state = 'pending')::text as pending,
        count(*) filter (where state = 'running')::text as running,
        min(run_at) filter (where state = 'pending' and run_at <= ${now}) as oldest_due,
        count(*) filter (where state = 'failed' and finished_at >= ${since})::text as failed
      from jobs
      where state in ('pending', 'running') or (state = 'failed' and finished_at >= ${since})
      group by queue order by queue`.execute(db),
  ]);
  const attemptRow = attempts.rows[0];
  const totalAttempts = Number(attemptRow?.total ?? 0);
  const failedAttempts = Number(attemptRow?.failed ?? 0);
  return {
    windowHours,
    since: since.toISOString(),
    payments: {
      created: Number(volumes.rows[0]?.created ?? 0),
      paid: Number(volumes.rows[0]?.paid ?? 0),
      turnover: turnover.rows.map((row) => ({
        currency: row.currency,
        amount: formatMinor(BigInt(row.total), row.currency),
      })),
    },
    methods: methods.rows.map((row) => {
      const paid = Number(row.paid);
      const declined = Number(row.declined);
      return { method: row.method, paid, declined, successRate: share(paid, paid + declined) };
    }),
    notifications: {
      attempts: totalAttempts,
      failedAttempts,
      failureRate: share(failedAttempts, totalAttempts),
      givenUp: Number(notifications.rows[0]?.given_up ?? 0),
      pending: Number(notifications.rows[0]?.pending ?? 0),
    },
    queues: queues.rows.map((row) => ({
      queue: row.queue,
      pending: Number(row.pending),
      running: Number(row.running),
      oldestDueAgeSeconds: row.oldest_due
        ? Math.max(0, Math.round((now.getTime() - row.oldest_due.getTime()) / 1000))
        : 0,
      failedInWindow: Number(row.failed),
    })),
  };
}
