import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, parseDecimalToMinor, percentOfMinor } from '../../src/platform/money.js';

describe('parseDecimalToMinor', () => {
  it.each([
    ['0', 0n],
    ['100', 10_000n],
    ['100.5', 10_050n],
    ['100.50', 10_050n],
    ['100.05', 10_005n],
    ['100.000000', 10_000n],
    ['0.01', 1n],
    ['1.100000', 110n],
    ['999999999999999.99', 99_999_999_999_999_999n],
  ])('parses %s exactly', (text, minor) => {
    expect(parseDecimalToMinor(text, 'RUB')).toBe(minor);
  });

  it.each([
    '1.005',
    '0.001',
    '1,00',
    '-1',
    '',
    '.5',
    '5.',
    '+1',
    ' 1',
    '1 ',
    '1e2',
    '0x10',
    'NaN',
    '1.2.3',
    '１',
  ])('rejects %j', (text) => {
    expect(parseDecimalToMinor(text, 'RUB')).toBeUndefined();
  });

  it('rejects more than 15 whole digits and more than 12 fraction digits', () => {
    expect(parseDecimalToMinor('1'.repeat(16), 'RUB')).toBeUndefined();
    expect(parseDecimalToMinor(`1.${'0'.repeat(13)}`, 'RUB')).toBeUndefined();
    expect(parseDecimalToMinor(`1.${'0'.repeat(12)}`, 'RUB')).toBe(100n);
  });
});

describe('formatMinor', () => {
  it.each([
    [0n, '0.00'],
    [5n, '0.05'],
    [50n, '0.50'],
    [100n, '1.00'],
    [123_456n, '1234.56'],
    [-5n, '-0.05'],
    [-123_456n, '-1234.56'],
  ])('formats %s as %s', (minor, text) => {
    expect(formatMinor(minor, 'USD')).toBe(text);
  });
});

describe('percentOfMinor', () => {
  it.each([
    [10_000n, 250n, 250n], // 2.5% of 100.00 = 2.50
    [50n, 100n, 1n], // 0.5 → 1
    [49n, 100n, 0n], // 0.49 → 0
    [150n, 100n, 2n], // 1.5 → 2
    [250n, 100n, 3n], // 2.5 → 3, not to even
    [-50n, 100n, -1n], // -0.5 → -1
    [-150n, 100n, -2n],
    [-49n, 100n, 0n],
    [12_345n, 0n, 0n],
    [1n, 10_000n, 1n],
  ])('%s at %s basis points is %s', (amount, basisPoints, expected) => {
    expect(percentOfMinor(amount, basisPoints)).toBe(expected);
  });

  it('rounds half away from zero for any amount and rate', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.bigInt({ min: 0n, max: 10_000n }),
        (amount, basisPoints) => {
          const product = amount * basisPoints;
          const magnitude = product < 0n ? -product : product;
          const rounded = (2n * magnitude + 10_000n) / 20_000n;
          expect(percentOfMinor(amount, basisPoints)).toBe(product < 0n ? -rounded : rounded);
          expect(percentOfMinor(-amount, basisPoints)).toBe(-percentOfMinor(amount, basisPoints));
        },
      ),
    );
  });
});

describe('parsing and formatting together', () => {
  it('parse(format(m)) === m for every amount from 0 to 10^15 minor units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (minor) => {
        expect(parseDecimalToMinor(formatMinor(minor, 'RUB'), 'RUB')).toBe(minor);
      }),
    );
  });

  it('format(parse(x)) === x for every canonical two-decimal string', () => {
    const canonical = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 13n }), fc.integer({ min: 0, max: 99 }))
      .map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`);
    fc.assert(
      fc.property(canonical, (text) => {
        const minor = parseDecimalToMinor(text, 'KZT');
        expect(minor).toBeDefined();
        expect(formatMinor(minor ?? -1n, 'KZT')).toBe(text);
      }),
    );
  });

  it('trailing zeros never change the amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10 }),
        (minor, zeros) => {
          expect(parseDecimalToMinor(formatMinor(minor, 'EUR') + '0'.repeat(zeros), 'EUR')).toBe(minor);
        },
      ),
    );
  });
});
