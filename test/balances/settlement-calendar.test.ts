/** The settlement rule as pure functions: business days in Moscow, and the "due" bound that matches it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { settlementDueBound, settlementTimeOf } from '../../src/modules/balances/index.js';
import { moscow } from './helpers.js';

describe('settlementTimeOf', () => {
  it.each([
    ['Friday 15:00 settles on Monday 00:00', '2026-03-06T15:00:00', 1, '2026-03-09T00:00:00'],
    ['Monday settles on Tuesday 00:00', '2026-03-02T10:00:00', 1, '2026-03-03T00:00:00'],
    ['Saturday settles on Monday 00:00', '2026-03-07T12:00:00', 1, '2026-03-09T00:00:00'],
    ['Sunday 23:59 settles on Monday 00:00', '2026-03-08T23:59:00', 1, '2026-03-09T00:00:00'],
    ['Monday 00:00 settles on Tuesday 00:00', '2026-03-09T00:00:00', 1, '2026-03-10T00:00:00'],
    ['two business days from Thursday reach Monday', '2026-03-05T09:00:00', 2, '2026-03-09T00:00:00'],
    ['ten business days skip two weekends', '2026-03-02T09:00:00', 10, '2026-03-16T00:00:00'],
  ])('%s', (_name, paid, businessDays, settles) => {
    expect(settlementTimeOf(moscow(paid), businessDays)).toEqual(moscow(settles));
  });

  it('takes the day in Moscow, not in UTC: 22:30 UTC on Monday is already Tuesday', () => {
    expect(settlementTimeOf(new Date('2026-03-02T22:30:00Z'), 1)).toEqual(moscow('2026-03-04T00:00:00'));
  });

  it('settles at once with zero business days', () => {
    const paidAt = moscow('2026-03-07T12:34:56');
    expect(settlementTimeOf(paidAt, 0)).toEqual(paidAt);
  });

  it('refuses a number of days outside 0..10', () => {
    expect(() => settlementTimeOf(new Date(), 11)).toThrow(RangeError);
    expect(() => settlementTimeOf(new Date(), -1)).toThrow(RangeError);
  });
});

describe('settlementDueBound', () => {
  it('is exactly the rule: a payment is due when paid before the bound', () => {
    const instant = fc.date({ min: new Date('2025-12-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z') });
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 0, max: 10 }), (paidAt, now, businessDays) => {
        fc.pre(!Number.isNaN(paidAt.getTime()) && !Number.isNaN(now.getTime()));
        const isDue = settlementTimeOf(paidAt, businessDays).getTime() <= now.getTime();
        const bound = settlementDueBound(now, businessDays);
        const isBefore = bound.isInclusive ? paidAt <= bound.paidBefore : paidAt < bound.paidBefore;
        expect(isBefore).toBe(isDue);
      }),
      { numRuns: 2000 },
    );
  });

  it('makes a payment due at its settlement time, not a millisecond before', () => {
    const instant = fc.date({ min: new Date('2025-12-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z') });
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 10 }), (paidAt, businessDays) => {
        fc.pre(!Number.isNaN(paidAt.getTime()));
        const settlesAt = settlementTimeOf(paidAt, businessDays);
        const isDueAt = (now: Date) => {
          const bound = settlementDueBound(now, businessDays);
          return bound.isInclusive ? paidAt <= bound.paidBefore : paidAt < bound.paidBefore;
        };
        expect(isDueAt(settlesAt)).toBe(true);
        if (businessDays > 0) expect(isDueAt(new Date(settlesAt.getTime() - 1))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('KOPEK_SETTLEMENT_BUSINESS_DAYS', () => {
  const environment = (value?: string) => ({
    NODE_ENV: 'test',
    KOPEK_MASTER_KEY: '11'.repeat(32),
    ...(value === undefined ? {} : { KOPEK_SETTLEMENT_BUSINESS_DAYS: value }),
  });

  it('defaults to 1 and accepts 0 to 10', () => {
    expect(loadConfig(environment()).settlementBusinessDays).toBe(1);
    expect(loadConfig(environment('0')).settlementBusinessDays).toBe(0);
    expect(loadConfig(environment('10')).settlementBusinessDays).toBe(10);
  });

  it.each(['11', '-1', '1.5', 'one', ' 2'])('stops the boot on %j, naming the variable', (value) => {
    expect(() => loadConfig(environment(value))).toThrow(ConfigError);
    expect(() => loadConfig(environment(value))).toThrow(/KOPEK_SETTLEMENT_BUSINESS_DAYS/);
  });
});
