import { describe, expect, it } from 'vitest';
import { nextAttemptAt, RETRY_DELAYS_MS } from '../../src/modules/notifications/index.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const created = new Date('2026-03-02T09:00:00Z');
const at = (offsetMs: number) => new Date(created.getTime() + offsetMs);

describe('the retry schedule', () => {
  it('waits 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 24 h after failed attempts 1 to 8', () => {
    expect(RETRY_DELAYS_MS).toEqual([
      MINUTE_MS,
      5 * MINUTE_MS,
      15 * MINUTE_MS,
      HOUR_MS,
      3 * HOUR_MS,
      6 * HOUR_MS,
      12 * HOUR_MS,
      24 * HOUR_MS,
    ]);
    RETRY_DELAYS_MS.forEach((delayMs, index) => {
      const now = at(5_000);
      expect(nextAttemptAt(created, index + 1, now)).toEqual(new Date(now.getTime() + delayMs));
    });
  });

  it('waits 24 h after later failures while the next attempt stays within 72 h of creation', () => {
    expect(nextAttemptAt(created, 9, at(46 * HOUR_MS))).toEqual(at(70 * HOUR_MS));
    expect(nextAttemptAt(created, 9, at(48 * HOUR_MS))).toEqual(at(72 * HOUR_MS));
    expect(nextAttemptAt(created, 20, at(48 * HOUR_MS))).toEqual(at(72 * HOUR_MS));
  });

  it('is exhausted when the next attempt would fall after 72 h', () => {
    expect(nextAttemptAt(created, 9, at(48 * HOUR_MS + 1))).toBeNull();
    expect(nextAttemptAt(created, 10, at(70 * HOUR_MS + 21 * MINUTE_MS))).toBeNull();
    // A "send again" long after creation gets no automatic retries.
    expect(nextAttemptAt(created, 1, at(100 * HOUR_MS))).toBeNull();
  });

  it('followed from creation with instant attempts, makes ten attempts', () => {
    const offsetsMs = [0];
    for (let count = 1; ; count += 1) {
      const next = nextAttemptAt(created, count, at(offsetsMs.at(-1) ?? 0));
      if (!next) break;
      offsetsMs.push(next.getTime() - created.getTime());
    }
    expect(offsetsMs.map((offset) => offset / MINUTE_MS)).toEqual([
      0, 1, 6, 21, 81, 261, 621, 1341, 2781, 4221,
    ]);
  });

  it('rejects an attempt count below 1', () => {
    expect(() => nextAttemptAt(created, 0, created)).toThrow(RangeError);
  });
});
