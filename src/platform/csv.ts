/**
 * CSV for spreadsheets (RFC 4180) as Russian users open it:
 * - UTF-8 with a byte order mark, so Excel opens Cyrillic text correctly;
 * - semicolons between fields, because Excel with Russian regional settings splits on ";" (a comma is
 *   the decimal separator there); fields are quoted when they contain ";", '"', CR or LF; lines end in CRLF;
 * - times in Moscow time, "YYYY-MM-DD HH:MM:SS", which spreadsheets read as dates.
 */
export const CSV_SEPARATOR = ';';
export const CSV_LINE_END = '\r\n';
export const CSV_BYTE_ORDER_MARK = '\uFEFF';

/** Quotes a field when RFC 4180 requires it. */
export function csvField(value: string): string {
  return /[";\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Text that a spreadsheet would run as a formula is written with a leading apostrophe. Amounts are not
 * text and stay as they are: "-9.00" must remain a number.
 */
export function csvText(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function csvLine(fields: readonly string[]): string {
  return fields.join(CSV_SEPARATOR) + CSV_LINE_END;
}

const moscowParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Moscow',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function formatMoscowTime(instant: Date): string {
  const parts: Record<string, string> = {};
  for (const part of moscowParts.formatToParts(instant)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}
