/**
 * ISO 8601 date-times as merchants send them in ExpirationDate: `2010-02-11T16:07:11.6973153+03:00`
 * (the docs), `2029-01-16T12:00` (the docs' PHP sample), `...Z`. Robokassa runs on Moscow time, so a
 * value without an offset is read as Moscow time (UTC+3, no daylight saving since 2014).
 */
const MOSCOW_OFFSET_MINUTES = 180;

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+ -]\d{2}(?::?\d{2})?)?$/;

/**
 * Returns undefined for anything that is not a real calendar instant. A space before the offset is
 * read as '+': that is what an unencoded `+03:00` in a hand-built GET URL turns into.
 */
export function parseIsoDateTime(text: string): Date | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((index) =>
    Number(match[index] ?? 0),
  ) as [number, number, number, number, number, number];
  const milliseconds = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetMinutes = parseOffsetMinutes(match[8]);
  if (offsetMinutes === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds);
  const calendar = new Date(utc);
  if (
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  ) {
    return undefined;
  }
  return new Date(utc - offsetMinutes * 60_000);
}

function parseOffsetMinutes(offset: string | undefined): number | undefined {
  if (offset === undefined) return MOSCOW_OFFSET_MINUTES;
  if (offset === 'Z' || offset === 'z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 14 || minutes > 59) return undefined;
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
