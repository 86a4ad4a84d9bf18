/**
 * The payment-method catalogue, shaped as Robokassa's GetCurrencies groups it: groups (BankCard, SBP,
 * EMoney, Bank, Terminals, Apps, Mobile) of items, each with the IncCurrLabel a merchant sends
 * ('SBPPSR') and its short alias ('SBP'), limits, currencies and capabilities. GetPaymentMethods lists
 * the groups' codes. Checkout picks a method's flow by its kind, never by its label; the kind also names
 * the provider that takes the payment (deps.providers.methods).
 */
import type { LocalizedText } from '../../platform/i18n.js';

/** How checkout takes the payment: one flow, and one provider, per kind. */
export const PAYMENT_METHOD_KINDS = [
  'bank_card',
  'sbp',
  'e_wallet',
  'internet_bank',
  'cash_terminal',
  'mobile_app',
  'phone_balance',
] as const;
export type PaymentMethodKind = (typeof PAYMENT_METHOD_KINDS)[number];

export interface MethodCapabilities {
  /** Money can be returned to the buyer through the method (cash and phone balance cannot). */
  readonly isRefundable: boolean;
  /** StepByStep: the amount can be reserved and captured later (cards only). */
  readonly isHoldable: boolean;
  /** Recurring=true and saved cards (cards only). */
  readonly isRecurring: boolean;
}

export interface PaymentMethodItem {
  /** Robokassa's IncCurrLabel. */
  readonly label: string;
  readonly alias: string;
  readonly name: LocalizedText;
  readonly kind: PaymentMethodKind;
  /** Limits of one payment in minor units (kopecks); undefined: no limit of the method's own. */
  readonly minValue?: bigint | undefined;
  readonly maxValue?: bigint | undefined;
  readonly currencies: readonly string[];
  readonly capabilities: MethodCapabilities;
  /** Whether a shop takes the method until the operator says otherwise (shop_payment_methods). */
  readonly isEnabledByDefault: boolean;
}

export interface PaymentMethodGroup {
  readonly code: string;
  readonly description: LocalizedText;
  readonly items: readonly PaymentMethodItem[];
}

/** One entry of GetPaymentMethods. */
export interface PaymentMethod {
  readonly code: string;
  readonly description: LocalizedText;
}

export interface PaymentMethodMatch {
  readonly group: PaymentMethodGroup;
  readonly item: PaymentMethodItem;
}

const RUBLES = 100n;
const CARD_ONLY: MethodCapabilities = { isRefundable: true, isHoldable: true, isRecurring: true };
const REFUNDABLE: MethodCapabilities = { isRefundable: true, isHoldable: false, isRecurring: false };
const FINAL: MethodCapabilities = { isRefundable: false, isHoldable: false, isRecurring: false };

interface ItemSpec {
  readonly label: string;
  readonly alias: string;
  readonly name: LocalizedText;
  readonly kind: PaymentMethodKind;
  readonly min?: bigint;
  readonly max?: bigint;
  readonly capabilities: MethodCapabilities;
  readonly currencies?: readonly string[];
  readonly isEnabledByDefault?: boolean;
}

function item(spec: ItemSpec): PaymentMethodItem {
  return Object.freeze({
    label: spec.label,
    alias: spec.alias,
    name: Object.freeze({ ...spec.name }),
    kind: spec.kind,
    minValue: spec.min,
    maxValue: spec.max,
    currencies: Object.freeze([...(spec.currencies ?? ['RUB'])]),
    capabilities: spec.capabilities,
    isEnabledByDefault: spec.isEnabledByDefault ?? false,
  });
}

function group(code: string, description: LocalizedText, items: PaymentMethodItem[]): PaymentMethodGroup {
  return Object.freeze({ code, description: Object.freeze({ ...description }), items: Object.freeze(items) });
}

/* In the order the checkout page and GetCurrencies show them. Limits follow what Russian providers set. */
const METHOD_GROUPS: readonly PaymentMethodGroup[] = Object.freeze([
  group('BankCard', { ru: 'Банковская карта', en: 'Bank card' }, [
    item({
      label: 'BankCardPSR',
      alias: 'BankCard',
      name: { ru: 'Банковская карта', en: 'Bank card' },
      kind: 'bank_card',
      capabilities: CARD_ONLY,
      currencies: ['RUB', 'KZT', 'USD', 'EUR'],
      isEnabledByDefault: true,
    }),
  ]),
  group('SBP', { ru: 'Система быстрых платежей', en: 'Faster Payments System (SBP)' }, [
    item({
      label: 'SBPPSR',
      alias: 'SBP',
      name: { ru: 'СБП', en: 'SBP' },
      kind: 'sbp',
      min: 1n * RUBLES,
      max: 1_000_000n * RUBLES,
      capabilities: REFUNDABLE,
    }),
  ]),
  group('EMoney', { ru: 'Электронные кошельки', en: 'E-wallets' }, [
    item({
      label: 'YooMoneyPSR',
      alias: 'YooMoney',
      name: { ru: 'ЮMoney', en: 'YooMoney' },
      kind: 'e_wallet',
      min: 1n * RUBLES,
      max: 250_000n * RUBLES,
      capabilities: REFUNDABLE,
    }),
  ]),
  group('Bank', { ru: 'Интернет-банк', en: 'Internet banking' }, [
    item({
      label: 'AlfaBankPSR',
      alias: 'AlfaBank',
      name: { ru: 'Альфа-Клик', en: 'Alfa-Click' },
      kind: 'internet_bank',
      min: 10n * RUBLES,
      max: 600_000n * RUBLES,
      capabilities: REFUNDABLE,
    }),
  ]),
  group('Terminals', { ru: 'Наличные в терминалах и банкоматах', en: 'Cash at terminals and ATMs' }, [
    item({
      label: 'TerminalsPSR',
      alias: 'Terminals',
      name: { ru: 'Терминалы и банкоматы', en: 'Terminals and ATMs' },
      kind: 'cash_terminal',
      min: 10n * RUBLES,
      max: 15_000n * RUBLES,
      capabilities: FINAL,
    }),
  ]),
  group('Apps', { ru: 'Оплата в приложении', en: 'Pay in an app' }, [
    item({
      label: 'SberPayPSR',
      alias: 'SberPay',
      name: { ru: 'SberPay', en: 'SberPay' },
      kind: 'mobile_app',
      min: 1n * RUBLES,
      max: 600_000n * RUBLES,
      capabilities: REFUNDABLE,
    }),
    item({
      label: 'MirPayPSR',
      alias: 'MirPay',
      name: { ru: 'Mir Pay', en: 'Mir Pay' },
      kind: 'mobile_app',
      min: 1n * RUBLES,
      max: 600_000n * RUBLES,
      capabilities: REFUNDABLE,
    }),
    item({
      label: 'TPayPSR',
      alias: 'TPay',
      name: { ru: 'T-Pay', en: 'T-Pay' },
      kind: 'mobile_app',
      min: 1n * RUBLES,
      max: 600_000n * RUBLES,
      capabilities: REFUNDABLE,
    }),
  ]),
  group('Mobile', { ru: 'Баланс телефона', en: 'Mobile phone balance' }, [
    item({
      label: 'PhoneBalancePSR',
      alias: 'PhoneBalance',
      name: { ru: 'Со счёта телефона', en: 'From the phone balance' },
      kind: 'phone_balance',
      min: 10n * RUBLES,
      max: 15_000n * RUBLES,
      capabilities: FINAL,
    }),
  ]),
]);

const PAYMENT_METHODS: readonly PaymentMethod[] = Object.freeze(
  METHOD_GROUPS.map((entry) => Object.freeze({ code: entry.code, description: entry.description })),
);

/** GetCurrencies: every group with its items. */
export function listMethodGroups(): readonly PaymentMethodGroup[] {
  return METHOD_GROUPS;
}

/** GetPaymentMethods: the groups' codes and descriptions. */
export function listPaymentMethods(): readonly PaymentMethod[] {
  return PAYMENT_METHODS;
}

/** Every item with its group, in catalogue order. */
export function listMethodItems(): readonly PaymentMethodMatch[] {
  return METHOD_GROUPS.flatMap((entry) =>
    entry.items.map((methodItem) => ({ group: entry, item: methodItem })),
  );
}

/** The item a merchant named in IncCurrLabel, by label or alias, ignoring case and surrounding spaces. */
export function findMethodByLabelOrAlias(value: string): PaymentMethodMatch | undefined {
  const wanted = value.trim().toLowerCase();
  if (wanted === '') return undefined;
  return listMethodItems().find(
    ({ item: candidate }) =>
      candidate.label.toLowerCase() === wanted || candidate.alias.toLowerCase() === wanted,
  );
}

/** Why a method cannot take this amount, or undefined when it can. */
export function methodAmountProblem(
  methodItem: PaymentMethodItem,
  amountMinor: bigint,
  currency: string,
): 'currency' | 'below_minimum' | 'above_maximum' | undefined {
  if (!methodItem.currencies.includes(currency)) return 'currency';
  if (methodItem.minValue !== undefined && amountMinor < methodItem.minValue) return 'below_minimum';
  if (methodItem.maxValue !== undefined && amountMinor > methodItem.maxValue) return 'above_maximum';
  return undefined;
}
