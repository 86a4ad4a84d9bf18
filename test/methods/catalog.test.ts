import { describe, expect, it } from 'vitest';
import {
  findMethodByLabelOrAlias,
  listMethodGroups,
  listMethodItems,
  listPaymentMethods,
  methodAmountProblem,
  PAYMENT_METHOD_KINDS,
} from '../../src/modules/methods/index.js';

describe('the payment-method catalogue', () => {
  it('groups methods as GetCurrencies does, the bank card first', () => {
    expect(listMethodGroups().map((group) => group.code)).toEqual([
      'BankCard',
      'SBP',
      'EMoney',
      'Bank',
      'Terminals',
      'Apps',
      'Mobile',
    ]);
    expect(listMethodGroups()[0]).toEqual({
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
          currencies: ['RUB', 'KZT', 'USD', 'EUR'],
          capabilities: { isRefundable: true, isHoldable: true, isRecurring: true },
          isEnabledByDefault: true,
        },
      ],
    });
  });

  it('gives every kind of method a group, and only the card holds, recurs and is on by default', () => {
    const items = listMethodItems().map(({ item }) => item);
    expect(new Set(items.map((item) => item.kind))).toEqual(new Set(PAYMENT_METHOD_KINDS));
    for (const item of items.filter((candidate) => candidate.kind !== 'bank_card')) {
      expect(item.capabilities.isHoldable).toBe(false);
      expect(item.capabilities.isRecurring).toBe(false);
      expect(item.isEnabledByDefault).toBe(false);
      expect(item.currencies).toEqual(['RUB']);
      expect(item.minValue).toBeLessThan(item.maxValue ?? 0n);
    }
    // Cash and the phone balance cannot be given back through the method.
    expect(items.filter((item) => !item.capabilities.isRefundable).map((item) => item.kind)).toEqual([
      'cash_terminal',
      'phone_balance',
    ]);
  });

  it('tells why a method cannot take an amount', () => {
    const sbp = findMethodByLabelOrAlias('SBP')?.item;
    if (!sbp) throw new Error('SBP is not in the catalogue');
    expect(methodAmountProblem(sbp, 99n, 'RUB')).toBe('below_minimum');
    expect(methodAmountProblem(sbp, 100n, 'RUB')).toBeUndefined();
    expect(methodAmountProblem(sbp, 100_000_000n, 'RUB')).toBeUndefined();
    expect(methodAmountProblem(sbp, 100_000_001n, 'RUB')).toBe('above_maximum');
    expect(methodAmountProblem(sbp, 10_000n, 'USD')).toBe('currency');
  });

  it('lists the groups as GetPaymentMethods does', () => {
    expect(listPaymentMethods()[0]).toEqual({
      code: 'BankCard',
      description: { ru: 'Банковская карта', en: 'Bank card' },
    });
    expect(listPaymentMethods().map((method) => method.code)).toEqual(
      listMethodGroups().map((group) => group.code),
    );
  });

  it.each([
    ['SBP', 'SBPPSR'],
    ['sbppsr', 'SBPPSR'],
    ['YooMoney', 'YooMoneyPSR'],
    ['terminals', 'TerminalsPSR'],
    ['MirPay', 'MirPayPSR'],
    ['PhoneBalance', 'PhoneBalancePSR'],
  ])('finds %j as %j', (value, label) => {
    expect(findMethodByLabelOrAlias(value)?.item.label).toBe(label);
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

  it.each(['', '  ', 'SBP2', 'BankCardPSR2', 'Bank Card', 'QCardR'])('finds nothing for %j', (value) => {
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
