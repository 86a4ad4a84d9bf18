/**
 * The schedule calendar, pure: slots in Moscow time (also when Moscow's date differs from UTC's), periods
 * by Moscow day and ISO week (across year ends), and properties over random instants and schedules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isoWeekOf,
  latestSlotAtOrBefore,
  nextSlotAfter,
  parseTimeOfDay,
  type PayoutSchedule,
} from '../../src/modules/payouts/index.js';
import { moscow } from '../balances/helpers.js';

const daily = (time: string): PayoutSchedule => ({
  frequency: 'daily',
  weekday: null,
  timeOfDayMinutes: parseTimeOfDay(time) ?? -1,
});
const weekly = (weekday: number, time: string): PayoutSchedule => ({
  frequency: 'weekly',
  weekday,
  timeOfDayMinutes: parseTimeOfDay(time) ?? -1,
});

describe('daily schedule', () => {
  it('acts on the latest slot at or before now, and names its Moscow day', () => {
    const schedule = daily('10:00');
    expect(latestSlotAtOrBefore(schedule, moscow('2026-03-02T09:59:59'))).toEqual({
      at: moscow('2026-03-01T10:00'),
      period: 'daily:2026-03-01',
    });
    expect(latestSlotAtOrBefore(schedule, moscow('2026-03-02T10:00'))).toEqual({
      at: moscow('2026-03-02T10:00'),
      period: 'daily:2026-03-02',
    });
    expect(nextSlotAfter(schedule, moscow('2026-03-02T10:00'))).toEqual({
      at: moscow('2026-03-03T10:00'),
      period: 'daily:2026-03-03',
    });
    expect(nextSlotAfter(schedule, moscow('2026-03-02T09:59'))).toEqual({
      at: moscow('2026-03-02T10:00'),
      period: 'daily:2026-03-02',
    });
  });

  it('uses the Moscow date, not the UTC one, for a slot after Moscow midnight', () => {
    // 01:30 in Moscow on 2 March is 22:30 UTC on 1 March.
    const slot = latestSlotAtOrBefore(daily('01:30'), new Date('2026-03-01T23:00:00Z'));
    expect(slot).toEqual({ at: new Date('2026-03-01T22:30:00Z'), period: 'daily:2026-03-02' });
  });
});

describe('weekly schedule', () => {
  it('has one slot a week, on its ISO weekday, named by the ISO week', () => {
    const friday = weekly(5, '18:00');
    const monday = moscow('2026-03-02T12:00');
    expect(latestSlotAtOrBefore(friday, monday)).toEqual({
      at: moscow('2026-02-27T18:00'),
      period: 'weekly:2026-W09',
    });
    expect(nextSlotAfter(friday, monday)).toEqual({
      at: moscow('2026-03-06T18:00'),
      period: 'weekly:2026-W10',
    });
  });

  it('Sunday is day 7, the last of its ISO week', () => {
    const sunday = weekly(7, '23:59');
    const slot = latestSlotAtOrBefore(sunday, moscow('2026-03-08T23:59:30'));
    expect(slot).toEqual({ at: moscow('2026-03-08T23:59'), period: 'weekly:2026-W10' });
  });

  it('refuses a weekly schedule without a weekday and a time outside the day', () => {
    expect(() =>
      nextSlotAfter({ frequency: 'weekly', weekday: null, timeOfDayMinutes: 600 }, new Date()),
    ).toThrow(RangeError);
    expect(() =>
      nextSlotAfter({ frequency: 'daily', weekday: null, timeOfDayMinutes: 1440 }, new Date()),
    ).toThrow(RangeError);
  });
});

describe('ISO weeks', () => {
  it.each([
    ['2026-01-01', '2026-W01'], // Thursday
    ['2026-12-31', '2026-W53'], // 2026 starts on a Thursday: 53 weeks
    ['2027-01-01', '2026-W53'], // Friday: still the last week of 2026
    ['2027-01-04', '2027-W01'],
    ['2024-12-30', '2025-W01'], // Monday of the week holding 2 January 2025
    ['2021-01-03', '2020-W53'], // Sunday
  ])('%s is in %s', (date, week) => {
    expect(isoWeekOf(Date.parse(`${date}T00:00:00Z`))).toBe(week);
  });
});

describe('time of day', () => {
  it.each([
    ['00:00', 0],
    ['10:00', 600],
    ['23:59', 1439],
    [' 09:05 ', 545],
    ['24:00', undefined],
    ['9:00', undefined],
    ['10:60', undefined],
    ['10-00', undefined],
    ['', undefined],
  ])('%j → %j', (text, minutes) => {
    expect(parseTimeOfDay(text)).toBe(minutes);
  });
});

const schedules = fc.oneof(
  fc.integer({ min: 0, max: 1439 }).map((minutes): PayoutSchedule => ({
    frequency: 'daily',
    weekday: null,
    timeOfDayMinutes: minutes,
  })),
  fc
    .tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1439 }))
    .map(([weekday, minutes]): PayoutSchedule => ({
      frequency: 'weekly',
      weekday,
      timeOfDayMinutes: minutes,
    })),
);
const instants = fc
  .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
  .map((ms) => new Date(ms));

describe('properties', () => {
  it('latest ≤ now < next, one period apart, at the schedule’s Moscow time and weekday', () => {
    fc.assert(
      fc.property(schedules, instants, (schedule, now) => {
        const latest = latestSlotAtOrBefore(schedule, now);
        const next = nextSlotAfter(schedule, now);
        expect(latest.at.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(next.at.getTime()).toBeGreaterThan(now.getTime());
        const periodMs = (schedule.frequency === 'daily' ? 1 : 7) * 86_400_000;
        expect(next.at.getTime() - latest.at.getTime()).toBe(periodMs);
        expect(next.period).not.toBe(latest.period);
        // Moscow is UTC+3: the wall clock of a slot is its instant plus three hours.
        const wallClock = new Date(next.at.getTime() + 3 * 3_600_000);
        expect(wallClock.getUTCHours() * 60 + wallClock.getUTCMinutes()).toBe(schedule.timeOfDayMinutes);
        if (schedule.weekday !== null) expect(((wallClock.getUTCDay() + 6) % 7) + 1).toBe(schedule.weekday);
        // The slot after the next one is the next one's own next slot: slots do not drift.
        expect(nextSlotAfter(schedule, next.at).at.getTime() - next.at.getTime()).toBe(periodMs);
      }),
      { numRuns: 500 },
    );
  });
});
