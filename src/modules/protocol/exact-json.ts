/**
 * Exact JSON for receipts: numbers keep their source text and objects are Maps that refuse repeated keys,
 * so amounts and quantities become bigint units without ever passing through a float.
 */

const MAX_JSON_DEPTH = 16;
/** Longer numbers are never a valid amount, quantity or id; refusing them keeps BigInt work small. */
const MAX_NUMBER_TEXT_LENGTH = 40;

/* ---------------------------------------------------------------------------------------------------
 * Exact JSON: numbers stay as their source text
 */

export class JsonNumber {
  constructor(readonly text: string) {}
}
export type JsonValue = null | boolean | string | JsonNumber | readonly JsonValue[] | JsonObject;
export type JsonObject = ReadonlyMap<string, JsonValue>;

export type JsonFailureReason = 'receipt_not_json' | 'receipt_duplicate_key' | 'receipt_too_deep';

export class JsonFailure extends Error {
  constructor(
    readonly reason: JsonFailureReason,
    readonly values: Readonly<Record<string, string | number>>,
  ) {
    super(reason);
  }
}

const JSON_LITERALS: readonly (readonly [string, JsonValue])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
const JSON_NUMBER_PATTERN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_WHITESPACE_PATTERN = /[ \t\n\r]*/y;

/**
 * RFC 8259 JSON with objects as Maps (so `__proto__` is only a key) and numbers as JsonNumber. Strings
 * are decoded by JSON.parse itself, so escapes follow the standard exactly.
 */
export class ExactJsonReader {
  private position = 0;

  constructor(private readonly text: string) {}

  readDocument(): JsonValue {
    const value = this.readValue(0);
    this.skipWhitespace();
    if (this.position !== this.text.length) this.fail();
    return value;
  }

  private readValue(depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) throw new JsonFailure('receipt_too_deep', { limit: MAX_JSON_DEPTH });
    this.skipWhitespace();
    const character = this.text[this.position];
    if (character === '{') return this.readObject(depth);
    if (character === '[') return this.readArray(depth);
    if (character === '"') return this.readString();
    for (const [word, value] of JSON_LITERALS) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        return value;
      }
    }
    return this.readNumber();
  }

  private readObject(depth: number): JsonObject {
    const entries = new Map<string, JsonValue>();
    this.position += 1;
    this.skipWhitespace();
    if (this.consume('}')) return entries;
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.fail();
      const key = this.readString();
      this.skipWhitespace();
      if (!this.consume(':')) this.fail();
      const value = this.readValue(depth + 1);
      if (entries.has(key)) throw new JsonFailure('receipt_duplicate_key', { key });
      entries.set(key, value);
      this.skipWhitespace();
      if (this.consume('}')) return entries;
      if (!this.consume(',')) this.fail();
    }
  }

  private readArray(depth: number): JsonValue[] {
    const values: JsonValue[] = [];
    this.position += 1;
    this.skipWhitespace();
    if (this.consume(']')) return values;
    for (;;) {
      values.push(this.readValue(depth + 1));
      this.skipWhitespace();
      if (this.consume(']')) return values;
      if (!this.consume(',')) this.fail();
    }
  }

  private readString(): string {
    const start = this.position;
    let index = start + 1;
    while (index < this.text.length && this.text[index] !== '"') index += this.text[index] === '\\' ? 2 : 1;
    if (index >= this.text.length) this.fail();
    this.position = index + 1;
    try {
      return JSON.parse(this.text.slice(start, index + 1)) as string;
    } catch {
      this.position = start;
      return this.fail();
    }
  }

  private readNumber(): JsonNumber {
    JSON_NUMBER_PATTERN.lastIndex = this.position;
    const match = JSON_NUMBER_PATTERN.exec(this.text);
    if (!match) return this.fail();
    this.position += match[0].length;
    return new JsonNumber(match[0]);
  }

  private skipWhitespace(): void {
    JSON_WHITESPACE_PATTERN.lastIndex = this.position;
    JSON_WHITESPACE_PATTERN.exec(this.text);
    this.position = JSON_WHITESPACE_PATTERN.lastIndex;
  }

  private consume(character: string): boolean {
    if (this.text[this.position] !== character) return false;
    this.position += 1;
    return true;
  }

  private fail(): never {
    throw new JsonFailure('receipt_not_json', { position: this.position + 1 });
  }
}

export type JsonReadResult =
  | { readonly ok: true; readonly value: JsonValue }
  | {
      readonly ok: false;
      readonly reason: JsonFailureReason;
      readonly values: Record<string, string | number>;
    };

export function readExactJson(text: string): JsonReadResult {
  try {
    return { ok: true, value: new ExactJsonReader(text).readDocument() };
  } catch (caught) {
    if (caught instanceof JsonFailure) return { ok: false, reason: caught.reason, values: caught.values };
    throw caught;
  }
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value instanceof Map;
}

/* ---------------------------------------------------------------------------------------------------
 * Exact decimals
 */

/** value = units / 10^scale, with no trailing zero in units while scale > 0. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_PATTERN = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A JSON number, or a string holding one ("100.00"); undefined for anything else. */
export function readDecimal(value: JsonValue | undefined): Decimal | undefined {
  const text = value instanceof JsonNumber ? value.text : typeof value === 'string' ? value : undefined;
  if (text === undefined || text.length > MAX_NUMBER_TEXT_LENGTH) return undefined;
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign = '', integer = '0', fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  // A large exponent never makes a valid amount, and 1e99999999 must not build a huge digit string.
  if (Math.abs(exponent) > MAX_NUMBER_TEXT_LENGTH) return undefined;
  let digits = integer + fraction;
  let scale = fraction.length - exponent;
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const trailingZeros = Math.min(scale, digits.length - digits.replace(/0+$/, '').length);
  digits = digits.slice(0, digits.length - trailingZeros) || '0';
  scale -= trailingZeros;
  const units = BigInt(digits);
  return { units: sign === '-' ? -units : units, scale };
}

/** The value in units of 10^-scale, or undefined when it has more decimals than that. */
export function toScaledUnits(decimal: Decimal, scale: number): bigint | undefined {
  if (decimal.scale > scale) return undefined;
  return decimal.units * 10n ** BigInt(scale - decimal.scale);
}

/** numerator / denominator, both non-negative, rounded half up. */
export function divideRoundingHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

export function formatThousandths(thousandths: bigint): string {
  const whole = thousandths / 1000n;
  const fraction = (thousandths % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}
