/**
 * Fixed-window rate limits counted in PostgreSQL, so every node sees the same counts.
 * Used where abuse is costly: registration and sign-in per IP.
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from '../clock.js';
import { commonErrors } from './errors.js';

export interface RateLimitRule {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export async function consumeRateLimit(
  executor: QueryExecutorProvider,
  clock: Clock,
  rule: RateLimitRule,
  subject: string,
): Promise<void> {
  const nowMs = clock.now().getTime();
  const windowStart = new Date(nowMs - (nowMs % rule.windowMs));
  const result = await sql<{ hits: number }>`
    insert into rate_limit_windows (key, window_start, hits) values (${`${rule.name}:${subject}`}, ${windowStart}, 1)
    on conflict (key, window_start) do update set hits = rate_limit_windows.hits + 1
    returning hits`.execute(executor);
  const hits = result.rows[0]?.hits ?? 0;
  if (hits > rule.limit) {
    const retryAfterMs = windowStart.getTime() + rule.windowMs - nowMs;
    throw commonErrors.tooManyRequests({ seconds: Math.ceil(retryAfterMs / 1000) });
  }
}

export async function deleteExpiredRateLimitWindows(
  executor: QueryExecutorProvider,
  before: Date,
): Promise<void> {
  await sql`delete from rate_limit_windows where window_start < ${before}`.execute(executor);
}
