/**
 * When scheduled payouts are due: pure functions of a schedule and an instant.
 *
 * A schedule is daily, or weekly on one ISO weekday, at a time of day in Moscow time. Its slots are
 * those wall-clock moments. Each slot belongs to a period: its Moscow calendar day for a daily schedule
 * ('daily:2026-03-02'), its ISO week for a weekly one ('weekly:2026-W10'). A period pays out at most once
 * (the key of scheduled_payout_runs), so moving a weekly payout from Monday to Friday after Monday's
 * payout waits for next week rather than paying twice in one week.
 *
 * Days are civil dates (the UTC midnight of the same year, month and day), as in the settlement calendar;
 * only moscowDay and moscowMidnight touch the time zone. A slot is Moscow midnight plus the minutes:
 * Moscow keeps UTC+3 all year, so no day has a clock change to skip or repeat.
 */
import { moscowDay, moscowMidnight } from '../balances/index.js';

export type ScheduleFrequency = 'daily' | 'weekly';

export interface PayoutSchedule {
  readonly frequency: ScheduleFrequency;
  /** ISO weekday for a weekly schedule: 1 Monday ... 7 Sunday. */
  readonly weekday: number | null;
  /** Minutes after 00:00 Moscow time, 0 ... 1439. */
  readonly timeOfDayMinutes: number;
}

/** The schedule as stored (frequency 'off' included): undefined while it is off. */
export function scheduleOf(
  frequency: 'off' | ScheduleFrequency,
  weekday: number | null,
  timeOfDayMinutes: number,
): PayoutSchedule | undefined {
  return frequency === 'off' ? undefined : { frequency, weekday, timeOfDayMinutes };
}

export interface ScheduleSlot {
  readonly at: Date;
  readonly period: string;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** A weekly schedule has a slot in every 7 consecutive days; one more covers the slot's own day. */
const SEARCH_DAYS = 8;

/** ISO weekday of a civil date: 1 Monday ... 7 Sunday. */
export function isoWeekday(civilDay: number): number {
  return ((new Date(civilDay).getUTCDay() + 6) % 7) + 1;
}

/** 'YYYY-Www': the ISO week of a civil date (the week's Thursday decides its year). */
export function isoWeekOf(civilDay: number): string {
  const thursday = civilDay + (4 - isoWeekday(civilDay)) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function isSlotDay(schedule: PayoutSchedule, civilDay: number): boolean {
  return schedule.frequency === 'daily' || isoWeekday(civilDay) === schedule.weekday;
}

function slotOn(schedule: PayoutSchedule, civilDay: number): ScheduleSlot {
  const at = new Date(moscowMidnight(civilDay).getTime() + schedule.timeOfDayMinutes * MINUTE_MS);
  const period =
    schedule.frequency === 'daily'
      ? `daily:${new Date(civilDay).toISOString().slice(0, 10)}`
      : `weekly:${isoWeekOf(civilDay)}`;
  return { at, period };
}

function assertSchedule(schedule: PayoutSchedule): void {
  const minutes = schedule.timeOfDayMinutes;
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1439)
    throw new RangeError('time of day must be 0..1439 minutes');
  if (
    schedule.frequency === 'weekly' &&
    !(schedule.weekday !== null && schedule.weekday >= 1 && schedule.weekday <= 7)
  )
    throw new RangeError('a weekly schedule needs an ISO weekday 1..7');
}

/** The latest slot at or before `now`: the one a run at `now` acts on. */
export function latestSlotAtOrBefore(schedule: PayoutSchedule, now: Date): ScheduleSlot {
  assertSchedule(schedule);
  const today = moscowDay(now);
  for (let day = today; day > today - SEARCH_DAYS * DAY_MS; day -= DAY_MS) {
    if (!isSlotDay(schedule, day)) continue;
    const slot = slotOn(schedule, day);
    if (slot.at.getTime() <= now.getTime()) return slot;
  }
  throw new Error('unreachable: a schedule has a slot in every week');
}

/** The first slot strictly after `now`: when the schedule acts next. */
export function nextSlotAfter(schedule: PayoutSchedule, now: Date): ScheduleSlot {
  assertSchedule(schedule);
  const today = moscowDay(now);
  for (let day = today; day < today + SEARCH_DAYS * DAY_MS; day += DAY_MS) {
    if (!isSlotDay(schedule, day)) continue;
    const slot = slotOn(schedule, day);
    if (slot.at.getTime() > now.getTime()) return slot;
  }
  throw new Error('unreachable: a schedule has a slot in every week');
}

/** 'HH:MM' (24-hour) to minutes after midnight; undefined when malformed. */
export function parseTimeOfDay(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

export function formatTimeOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
