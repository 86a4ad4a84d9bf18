/**
 * When paid money settles: the rule, as pure functions of instants.
 *
 * The rule: a live payment paid on day D (the calendar day in Europe/Moscow) settles at 00:00 Moscow time
 * of the N-th business day after D, where N is KOPEK_SETTLEMENT_BUSINESS_DAYS (default 1: the next
 * business day). Business days are Monday to Friday: a payment of Friday 15:00 settles on Monday 00:00,
 * one of Saturday or Sunday also on Monday 00:00, one of Monday on Tuesday 00:00. With N = 0 a payment
 * settles as soon as the settlement task next runs. Public holidays are not modelled yet: a holiday that
 * falls on a weekday counts as a business day.
 *
 * Calendar days are handled as "civil dates": the UTC midnight of the same year, month and day, which
 * makes day arithmetic and weekdays exact. Only the conversion to and from instants uses the time zone.
 */
export const SETTLEMENT_TIME_ZONE = 'Europe/Moscow';
export const MAX_SETTLEMENT_BUSINESS_DAYS = 10;

const DAY_MS = 86_400_000;

const zoneParts = new Intl.DateTimeFormat('en-US', {
  timeZone: SETTLEMENT_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The wall-clock reading in Moscow of an instant, as if that reading were UTC (milliseconds dropped). */
function wallClockAsUtc(instant: Date): number {
  const parts: Record<string, number> = {};
  for (const part of zoneParts.formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const read = (name: string) => parts[name] ?? 0;
  return Date.UTC(read('year'), read('month') - 1, read('day'), read('hour'), read('minute'), read('second'));
}

/** Milliseconds Moscow is ahead of UTC at an instant. */
function zoneOffsetMs(instant: Date): number {
  const wholeSecond = new Date(Math.floor(instant.getTime() / 1000) * 1000);
  return wallClockAsUtc(wholeSecond) - wholeSecond.getTime();
}

/** The Moscow calendar day of an instant, as a civil date. */
export function moscowDay(instant: Date): number {
  const wallClock = instant.getTime() + zoneOffsetMs(instant);
  return Math.floor(wallClock / DAY_MS) * DAY_MS;
}

/** A YYYY-MM-DD text as a civil date, or undefined when it is not a real calendar day. */
export function parseCivilDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(day).toISOString().slice(0, 10) === text ? day : undefined;
}

/** The instant of 00:00 Moscow time on a civil date. Two passes settle the offset even across a change. */
export function moscowMidnight(civilDay: number): Date {
  let instant = civilDay - zoneOffsetMs(new Date(civilDay));
  instant = civilDay - zoneOffsetMs(new Date(instant));
  return new Date(instant);
}

export function isBusinessDay(civilDay: number): boolean {
  const weekday = new Date(civilDay).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The N-th business day after a civil date (N >= 1). */
function businessDayAfter(civilDay: number, businessDays: number): number {
  let day = civilDay;
  for (let counted = 0; counted < businessDays;) {
    day += DAY_MS;
    if (isBusinessDay(day)) counted += 1;
  }
  return day;
}

function assertBusinessDays(businessDays: number): void {
  if (!Number.isInteger(businessDays) || businessDays < 0 || businessDays > MAX_SETTLEMENT_BUSINESS_DAYS)
    throw new RangeError(`settlement business days must be 0..${MAX_SETTLEMENT_BUSINESS_DAYS}`);
}

/** When a payment paid at paidAt settles. */
export function settlementTimeOf(paidAt: Date, businessDays: number): Date {
  assertBusinessDays(businessDays);
  if (businessDays === 0) return new Date(paidAt);
  return moscowMidnight(businessDayAfter(moscowDay(paidAt), businessDays));
}

/**
 * Which payments are due at `now`, as a bound on the time they were paid: the settlement time never
 * decreases as the payment time grows, so "due" is exactly "paid before the bound" (or at it, when
 * inclusive). With N >= 1 the bound is the Moscow midnight after the latest day whose payments have
 * settled; the search walks back at most N business days plus weekends.
 */
export function settlementDueBound(
  now: Date,
  businessDays: number,
): { paidBefore: Date; isInclusive: boolean } {
  assertBusinessDays(businessDays);
  if (businessDays === 0) return { paidBefore: new Date(now), isInclusive: true };
  let day = moscowDay(now);
  while (moscowMidnight(businessDayAfter(day, businessDays)).getTime() > now.getTime()) day -= DAY_MS;
  return { paidBefore: moscowMidnight(day + DAY_MS), isInclusive: false };
}
