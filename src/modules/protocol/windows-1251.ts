/**
 * Encoding=windows-1251: old integrations (the older documentation's default) send their form and query
 * values percent-encoded in windows-1251, not UTF-8, and hash their signature base strings as
 * windows-1251 bytes. A server that decodes such a request as UTF-8 turns every Cyrillic letter into
 * U+FFFD, so these requests are decoded again from the raw text, and signatures are checked over both
 * byte forms (reference §13 item 2: accept both).
 */

const DECODER = new TextDecoder('windows-1251');

/** Unicode character → windows-1251 byte, for the upper half (the lower half is ASCII). */
const UPPER_HALF_BYTES: ReadonlyMap<string, number> = (() => {
  const bytes = new Map<string, number>();
  for (let byte = 0x80; byte <= 0xff; byte += 1) {
    const character = DECODER.decode(Uint8Array.of(byte));
    // 0x98 is unassigned: the decoder maps it to U+FFFD, which must never encode back to a byte.
    if (character !== '\uFFFD') bytes.set(character, byte);
  }
  return bytes;
})();

export function isWindows1251(encoding: string | undefined): boolean {
  const normalized = encoding?.trim().toLowerCase();
  return normalized === 'windows-1251' || normalized === 'cp1251' || normalized === 'win-1251';
}

/** The windows-1251 bytes of text, or undefined when text has a character that encoding lacks. */
export function encodeWindows1251(text: string): Buffer | undefined {
  const bytes: number[] = [];
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const byte = UPPER_HALF_BYTES.get(character);
    if (byte === undefined) return undefined;
    bytes.push(byte);
  }
  return Buffer.from(bytes);
}

/**
 * Parses application/x-www-form-urlencoded text (a query string or a form body) whose escapes are
 * windows-1251 bytes. A repeated name keeps its first value, as the protocol reads single values.
 */
export function parseWindows1251Form(raw: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = decodeWindows1251Component(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decodeWindows1251Component(pair.slice(separator + 1));
    if (!Object.hasOwn(fields, name)) fields[name] = value;
  }
  return fields;
}

function decodeWindows1251Component(text: string): string {
  const plain = text.replace(/\+/g, ' ');
  let decoded = '';
  let escapedBytes: number[] = [];
  const flushEscapes = () => {
    decoded += DECODER.decode(Uint8Array.from(escapedBytes));
    escapedBytes = [];
  };
  for (let index = 0; index < plain.length; index += 1) {
    const hex = plain[index] === '%' ? plain.slice(index + 1, index + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      escapedBytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      // A literal character (or a broken escape) stays as typed.
      flushEscapes();
      decoded += plain[index];
    }
  }
  flushEscapes();
  return decoded;
}
