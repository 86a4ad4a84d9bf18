/**
 * The payment-method catalogue, shaped as Robokassa's GetCurrencies groups it: groups (BankCard, later SBP,
 * EMoney, Bank, Terminals, Mobile...) of items, each with the IncCurrLabel a merchant sends ('BankCardPSR')
 * and its short alias ('BankCard'). GetPaymentMethods lists the groups' codes. A new method is one more
 * group or item here plus a PaymentMethodKind: checkout picks the flow by kind, never by label.
 */
import type { LocalizedText } from '../../platform/i18n.js';

/** How checkout takes the payment. Grows with the catalogue ('sbp', 'e_wallet', ...). */
export type PaymentMethodKind = 'bank_card';

export interface PaymentMethodItem {
  /** Robokassa's IncCurrLabel. */
  readonly label: string;
  readonly alias: string;
  readonly name: LocalizedText;
  readonly kind: PaymentMethodKind;
  /** Limits of one payment in minor units (kopecks); undefined: no limit of the method's own. */
  readonly minValue?: bigint | undefined;
  readonly maxValue?: bigint | undefined;
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

const BANK_CARD_NAME: LocalizedText = { ru: 'Банковская карта', en: 'Bank card' };

function freezeGroups(groups: PaymentMethodGroup[]): readonly PaymentMethodGroup[] {
  for (const group of groups) {
    for (const item of group.items) Object.freeze(Object.freeze(item).name);
    Object.freeze(group.description);
    Object.freeze(group.items);
    Object.freeze(group);
  }
  return Object.freeze(groups);
}

/* In the order the checkout page and GetCurrencies show them. */
const METHOD_GROUPS: readonly PaymentMethodGroup[] = freezeGroups([
  {
    code: 'BankCard',
    description: { ...BANK_CARD_NAME },
    items: [
      {
        label: 'BankCardPSR',
        alias: 'BankCard',
        name: { ...BANK_CARD_NAME },
        kind: 'bank_card',
        minValue: undefined,
        maxValue: undefined,
      },
    ],
  },
]);

const PAYMENT_METHODS: readonly PaymentMethod[] = Object.freeze(
  METHOD_GROUPS.map((group) => Object.freeze({ code: group.code, description: group.description })),
);

/** GetCurrencies: every group with its items. */
export function listMethodGroups(): readonly PaymentMethodGroup[] {
  return METHOD_GROUPS;
}

/** GetPaymentMethods: the groups' codes and descriptions. */
export function listPaymentMethods(): readonly PaymentMethod[] {
  return PAYMENT_METHODS;
}

/** The item a merchant named in IncCurrLabel, by label or alias, ignoring case and surrounding spaces. */
export function findMethodByLabelOrAlias(value: string): PaymentMethodMatch | undefined {
  const wanted = value.trim().toLowerCase();
  if (wanted === '') return undefined;
  for (const group of METHOD_GROUPS) {
    const item = group.items.find(
      (candidate) => candidate.label.toLowerCase() === wanted || candidate.alias.toLowerCase() === wanted,
    );
    if (item) return { group, item };
  }
  return undefined;
}
