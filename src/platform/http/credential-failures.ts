/**
 * A limit on FAILED credential checks per client address: wrong signatures on the Robokassa-compatible
 * endpoints (Index.aspx, OpStateExt, the Refund and Invoice APIs, hold Confirm/Cancel) and unknown API
 * keys on /api/v1. Successful requests are never counted, so a busy merchant is never slowed down; an
 * address that fails `limit` times within `windowMs` is refused (without evaluating its signature)
 * until enough of those failures have left the sliding window.
 *
 * Why a limiter of its own rather than consumeRateLimit or @fastify/rate-limit: both count every request,
 * and the hot path (every buyer's Index.aspx) must not pay a query for a limit that only failures feed.
 * Here the failures are counted in PostgreSQL (table rate_limit_windows, one row per address and tenth
 * of the window: a minute by default), so every node shares the count; the "refused until" verdict is cached in this process,
 * so checking costs a Map lookup. A node that has not seen the address's latest failure learns the
 * verdict at its next failure from that address: with N nodes an address gets at most N - 1 failures
 * more than the limit in one window.
 *
 * The address is keyed as seen by Fastify (TRUST_PROXY=1 behind a proxy); an IPv6 address is keyed by
 * its /64 prefix, since one host usually owns the whole prefix. Never by shop: a limit per shop would let
 * anyone stop a merchant's payments by sending bad signatures in its name, and on the Refund API the shop
 * is known only through the operation, so a per-shop count would tell which OpKeys exist. The shop, when
 * known, is in the log line of each failure instead.
 */
import { isIPv6 } from 'node:net';
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Clock } from '../clock.js';
import { AppError } from './errors.js';

export interface CredentialFailureRule {
  /** Failures allowed in the window; the next request from the address is refused. */
  readonly limit: number;
  readonly windowMs: number;
}

export type FailureVerdict =
  { readonly isRefused: false } | { readonly isRefused: true; readonly retryAfterSeconds: number };

const ALLOWED: FailureVerdict = { isRefused: false };
/** The window is counted in this many buckets, so it slides by a tenth of its length. */
const BUCKETS_PER_WINDOW = 10;
/** Bounds the verdict cache: an attacker spraying addresses cannot make it grow without end. */
const MAX_CACHED_VERDICTS = 100_000;
const KEY_PREFIX = 'credential-failures:';

interface LimiterOwner {
  readonly db: QueryExecutorProvider;
  readonly clock: Clock;
  readonly config: { readonly credentialFailureRule: CredentialFailureRule };
}

/** The address as counted: IPv4 as is, IPv6 by its first four groups (/64). */
export function failureSubjectOf(ip: string): string {
  const address = ip.startsWith('::ffff:') && !isIPv6(ip.slice(7)) ? ip.slice(7) : ip;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const missing = address.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class CredentialFailureLimiter {
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly db: QueryExecutorProvider,
    private readonly clock: Clock,
    readonly rule: CredentialFailureRule,
  ) {}

  /** Whether the address is refused now. Memory only: no query on the hot path. */
  check(ip: string): FailureVerdict {
    const subject = failureSubjectOf(ip);
    const until = this.refusedUntil.get(subject);
    if (until === undefined) return ALLOWED;
    const remainingMs = until - this.clock.now().getTime();
    if (remainingMs > 0) return { isRefused: true, retryAfterSeconds: Math.ceil(remainingMs / 1000) };
    this.refusedUntil.delete(subject);
    return ALLOWED;
  }

  /**
   * Counts one failure of the address. The verdict says whether the address had already used up its
   * failures before this one (possible when another node counted them): then the caller answers
   * "too many" instead of the failure itself.
   */
  async recordFailure(ip: string): Promise<FailureVerdict> {
    const subject = failureSubjectOf(ip);
    const nowMs = this.clock.now().getTime();
    const bucketMs = Math.max(1, Math.floor(this.rule.windowMs / BUCKETS_PER_WINDOW));
    const bucketStart = nowMs - (nowMs % bucketMs);
    const oldestBucket = bucketStart - (BUCKETS_PER_WINDOW - 1) * bucketMs;
    const buckets = await this.countFailure(`${KEY_PREFIX}${subject}`, bucketStart, oldestBucket);
    const total = buckets.reduce((sum, bucket) => sum + bucket.hits, 0);
    if (total < this.rule.limit) return ALLOWED;
    const until = refusedUntilOf(buckets, total, bucketMs * BUCKETS_PER_WINDOW, this.rule.limit);
    this.remember(subject, until);
    if (total === this.rule.limit) return ALLOWED;
    return { isRefused: true, retryAfterSeconds: Math.max(1, Math.ceil((until - nowMs) / 1000)) };
  }

  /** Adds the failure to the current bucket and returns every bucket still inside the window. */
  private async countFailure(key: string, bucketStart: number, oldestBucket: number) {
    const result = await sql<{ window_start: Date; hits: number }>`
      with bumped as (
        insert into rate_limit_windows (key, window_start, hits) values (${key}, ${new Date(bucketStart)}, 1)
        on conflict (key, window_start) do update set hits = rate_limit_windows.hits + 1
        returning window_start, hits)
      select window_start, hits from bumped
      union all
      select window_start, hits from rate_limit_windows
      where key = ${key} and window_start >= ${new Date(oldestBucket)} and window_start < ${new Date(bucketStart)}`.execute(
      this.db,
    );
    return result.rows
      .map((row) => ({ startMs: new Date(row.window_start).getTime(), hits: Number(row.hits) }))
      .sort((left, right) => left.startMs - right.startMs);
  }

  private remember(subject: string, until: number): void {
    if (this.refusedUntil.size >= MAX_CACHED_VERDICTS) {
      const nowMs = this.clock.now().getTime();
      for (const [key, value] of this.refusedUntil) if (value <= nowMs) this.refusedUntil.delete(key);
      // Still full: forget the oldest verdict; the database still holds its count.
      if (this.refusedUntil.size >= MAX_CACHED_VERDICTS) {
        const oldest = this.refusedUntil.keys().next();
        if (!oldest.done) this.refusedUntil.delete(oldest.value);
      }
    }
    this.refusedUntil.set(subject, until);
  }
}

/** When enough of the oldest buckets have left the window for the count to drop below the limit. */
function refusedUntilOf(
  buckets: readonly { startMs: number; hits: number }[],
  total: number,
  windowMs: number,
  limit: number,
): number {
  let remaining = total;
  for (const bucket of buckets) {
    remaining -= bucket.hits;
    if (remaining < limit) return bucket.startMs + windowMs;
  }
  return (buckets.at(-1)?.startMs ?? 0) + windowMs;
}

const limiters = new WeakMap<object, CredentialFailureLimiter>();

/**
 * The limiter of this process for the given database: one per database handle, so every surface of an
 * app (and every service it calls) shares one verdict cache.
 */
export function credentialFailureLimiter(owner: LimiterOwner): CredentialFailureLimiter {
  let limiter = limiters.get(owner.db);
  if (!limiter) {
    limiter = new CredentialFailureLimiter(owner.db, owner.clock, owner.config.credentialFailureRule);
    limiters.set(owner.db, limiter);
  }
  return limiter;
}

/** The JSON surfaces' answer for a refused address: 429 `rate_limited`, with Retry-After. */
export function tooManyCredentialFailures(retryAfterSeconds: number): AppError {
  return new AppError(
    'rate_limited',
    429,
    {
      ru: 'Слишком много запросов с неверными ключами или подписями с этого адреса. Повторите через {seconds} с.',
      en: 'Too many requests with wrong keys or signatures from this address. Retry in {seconds} s.',
    },
    { seconds: retryAfterSeconds },
  );
}
