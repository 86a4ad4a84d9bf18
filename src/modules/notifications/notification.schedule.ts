/**
 * When a failed notification is tried again. Pure: the job handler feeds it the notification's creation
 * time, how many attempts have been made and the current time.
 *
 * The schedule (the README cites it): the first attempt is made at once. After failed attempt n
 * (1-based) the next one waits RETRY_DELAYS_MS[n-1]: 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 24 h,
 * and then 24 h after every further failure, as long as the next attempt still falls within 72 h of the
 * notification's creation. When it would not, the notification is marked 'failed' and only the merchant's
 * "send again" button makes another attempt.
 *
 * Counted from creation with no time spent on the calls themselves, attempts happen at 0, 1 min, 6 min,
 * 21 min, 1 h 21 min, 4 h 21 min, 10 h 21 min, 22 h 21 min, 46 h 21 min and 70 h 21 min: ten attempts.
 * Robokassa does not document its own schedule; this one gives a merchant whose server was down over a
 * weekend one more chance on Monday, and quick retries for a short blip.
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  1 * MINUTE_MS,
  5 * MINUTE_MS,
  15 * MINUTE_MS,
  1 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  24 * HOUR_MS,
]);

/** The delay used after the listed ones run out. */
export const LATER_RETRY_DELAY_MS = 24 * HOUR_MS;

/** No automatic attempt is scheduled later than this after the notification's creation. */
export const RETRY_WINDOW_MS = 72 * HOUR_MS;

/**
 * The time of the next attempt after `attemptCount` attempts (the last of which failed) have been made,
 * or null when the schedule is exhausted and the notification should be marked failed.
 */
export function nextAttemptAt(createdAt: Date, attemptCount: number, now: Date): Date | null {
  if (!Number.isSafeInteger(attemptCount) || attemptCount < 1) {
    throw new RangeError(`nextAttemptAt: attemptCount must be a whole number from 1, got ${attemptCount}`);
  }
  const delayMs = RETRY_DELAYS_MS[attemptCount - 1] ?? LATER_RETRY_DELAY_MS;
  const next = new Date(now.getTime() + delayMs);
  return next.getTime() - createdAt.getTime() <= RETRY_WINDOW_MS ? next : null;
}
