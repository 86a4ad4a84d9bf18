import { describe, expect, it } from 'vitest';
import {
  findMethodByLabelOrAlias,
  listMethodGroups,
  listPaymentMethods,
} from '../../src/modules/methods/index.js';

describe('the payment-method catalogue', () => {
  it('groups methods as GetCurrencies does', () => {
    expect(listMethodGroups()).toEqual([
      {
        code: 'BankCard',
        description: { ru: 'Банковская карта', en: 'Bank card' },
        items: [
          {
            label: 'BankCardPSR',
            alias: 'BankCard',
            name: { ru: 'Банковская карта', en: 'Bank card' },
            kind: 'bank_card',
            minValue: undefined,
            maxValue: undefined,
          },
        ],
      },
    ]);
  });

  it('lists the groups as GetPaymentMethods does', () => {
    expect(listPaymentMethods()).toEqual([
      { code: 'BankCard', description: { ru: 'Банковская карта', en: 'Bank card' } },
    ]);
    expect(listPaymentMethods().map((method) => method.code)).toEqual(
      listMethodGroups().map((group) => group.code),
    );
  });

  it.each(['BankCardPSR', 'bankcardpsr', 'BANKCARDPSR', 'BankCard', 'bankcard', ' BankCard '])(
    'finds the bank card by %j',
    (value) => {
      const found = findMethodByLabelOrAlias(value);
      expect(found?.group.code).toBe('BankCard');
      expect(found?.item.label).toBe('BankCardPSR');
      expect(found?.item.kind).toBe('bank_card');
    },
  );

  it.each(['', '  ', 'SBP', 'BankCardPSR2', 'Bank Card', 'QCardR'])('finds nothing for %j', (value) => {
    expect(findMethodByLabelOrAlias(value)).toBeUndefined();
  });

  it('keeps every label and alias unique, ignoring case, so a lookup is never ambiguous', () => {
    const names = listMethodGroups().flatMap((group) =>
      group.items.flatMap((item) => [item.label.toLowerCase(), item.alias.toLowerCase()]),
    );
    const perItem = listMethodGroups().flatMap((group) =>
      group.items.map((item) => new Set([item.label.toLowerCase(), item.alias.toLowerCase()]).size),
    );
    expect(new Set(names).size).toBe(perItem.reduce((sum, size) => sum + size, 0));
    expect(new Set(listMethodGroups().map((group) => group.code)).size).toBe(listMethodGroups().length);
  });

  it('cannot be changed by a caller', () => {
    const groups = listMethodGroups();
    expect(Object.isFrozen(groups)).toBe(true);
    expect(() => (groups as unknown as unknown[]).push({})).toThrow(TypeError);
    const group = groups[0];
    expect(group && Object.isFrozen(group.items[0])).toBe(true);
    expect(group && Object.isFrozen(group.items[0]?.name)).toBe(true);
    expect(Object.isFrozen(listPaymentMethods()[0])).toBe(true);
  });
});
