/**
 * Texts of the Receipt problems (receipt.ts), in Russian and English. A problem's message is a prefix
 * naming where it is (the item's 1-based number and name, the field) followed by one of these texts;
 * `{name}` placeholders are filled by formatText.
 */
import type { LocalizedText } from '../../platform/i18n.js';

/** Prefixes: an item with a readable name, an item without one, the receipt itself (with or without a field). */
export const RECEIPT_PROBLEM_PREFIXES = {
  itemNamed: { ru: 'Позиция {index} «{name}», поле {field}: ', en: 'Item {index} "{name}", field {field}: ' },
  item: { ru: 'Позиция {index}, поле {field}: ', en: 'Item {index}, field {field}: ' },
  itemWhole: { ru: 'Позиция {index}: ', en: 'Item {index}: ' },
  receiptField: { ru: 'Чек (Receipt), поле {field}: ', en: 'Receipt, field {field}: ' },
  receipt: { ru: 'Чек (Receipt): ', en: 'Receipt: ' },
} as const satisfies Record<string, LocalizedText>;

export const RECEIPT_PROBLEM_TEXTS = {
  receipt_too_long: {
    ru: 'длиннее {limit} символов.',
    en: 'longer than {limit} characters.',
  },
  receipt_not_json: {
    ru: 'нужен JSON-объект, как есть или URL-кодированный; ошибка разбора JSON у символа {position}.',
    en: 'a JSON object is expected, raw or URL-encoded; JSON syntax error at character {position}.',
  },
  receipt_duplicate_key: {
    ru: 'ключ "{key}" повторяется в одном объекте: непонятно, какое значение верное.',
    en: 'the key "{key}" appears twice in one object, so it is unclear which value is meant.',
  },
  receipt_too_deep: {
    ru: 'вложенность JSON больше {limit} уровней.',
    en: 'JSON nesting is deeper than {limit} levels.',
  },
  receipt_not_object: {
    ru: 'нужен JSON-объект вида {"sno": "...", "items": [...]}.',
    en: 'a JSON object such as {"sno": "...", "items": [...]} is expected.',
  },
  items_empty: {
    ru: 'в чеке должна быть хотя бы одна позиция.',
    en: 'the receipt must have at least one item.',
  },
  items_too_many: {
    ru: 'в чеке может быть не больше {limit} позиций, передано {count}.',
    en: 'a receipt may have at most {limit} items; {count} were sent.',
  },
  total_mismatch: {
    ru: 'сумма позиций {total} не равна сумме платежа {expected}.',
    en: 'the items add up to {total}, not to the payment amount {expected}.',
  },
  items_total_mismatch: {
    ru: 'сумма позиций {total} не равна итогу чека total {expected}.',
    en: 'the items add up to {total}, not to the receipt total {expected}.',
  },
  value_missing: {
    ru: 'поле обязательно.',
    en: 'this field is required.',
  },
  value_not_string: {
    ru: 'нужна строка.',
    en: 'a string is expected.',
  },
  value_empty: {
    ru: 'не может быть пустым.',
    en: 'must not be empty.',
  },
  value_too_long: {
    ru: 'не длиннее {limit} символов, передано {length}.',
    en: 'at most {limit} characters; {length} were sent.',
  },
  value_not_object: {
    ru: 'нужен JSON-объект.',
    en: 'a JSON object is expected.',
  },
  value_not_array: {
    ru: 'нужен массив.',
    en: 'an array is expected.',
  },
  count_invalid: {
    ru: 'нужно от {min} до {max} элементов.',
    en: 'from {min} to {max} entries are expected.',
  },
  number_invalid: {
    ru: 'нужно десятичное число с точкой, например {example}, числом или строкой.',
    en: 'a decimal number with a dot, such as {example}, is expected (a JSON number or a string).',
  },
  integer_invalid: {
    ru: 'нужно целое число от {min} до {max}.',
    en: 'a whole number from {min} to {max} is expected.',
  },
  quantity_precision: {
    ru: 'количество указывается не точнее 3 знаков после точки.',
    en: 'the quantity may have at most 3 decimal places.',
  },
  quantity_not_positive: {
    ru: 'количество должно быть больше нуля.',
    en: 'the quantity must be greater than zero.',
  },
  quantity_too_large: {
    ru: 'количество не больше {limit}.',
    en: 'the quantity may be at most {limit}.',
  },
  amount_missing: {
    ru: 'нужна сумма позиции sum или цена за единицу cost.',
    en: 'the line total sum or the unit price cost is required.',
  },
  amount_precision: {
    ru: 'сумма указывается в рублях не точнее копеек (2 знака после точки).',
    en: 'amounts may have at most 2 decimal places (kopecks).',
  },
  amount_negative: {
    ru: 'сумма не может быть отрицательной.',
    en: 'the amount must not be negative.',
  },
  amount_too_large: {
    ru: 'сумма не больше {limit}.',
    en: 'the amount may be at most {limit}.',
  },
  sum_mismatch: {
    ru: 'sum должна равняться cost × quantity, округлённому до копейки: {expected}, а передано {actual}.',
    en: 'sum must equal cost × quantity rounded to the kopeck: {expected}, but {actual} was sent.',
  },
  price_too_large: {
    ru: 'цена за единицу (sum ÷ quantity = {price}) больше {limit}.',
    en: 'the unit price (sum ÷ quantity = {price}) is above {limit}.',
  },
  enum_invalid: {
    ru: 'допустимые значения: {values}.',
    en: 'allowed values: {values}.',
  },
  tax_retired: {
    ru: 'ставки НДС 18% (vat18, vat118) не применяются с 01.01.2019; допустимые значения: {values}.',
    en: 'the 18% VAT rates (vat18, vat118) are void since 1 January 2019; allowed values: {values}.',
  },
  sno_retired: {
    ru: 'ЕНВД (envd) отменён с 2021 года; допустимые значения: {values}.',
    en: 'ENVD (envd) was abolished in 2021; allowed values: {values}.',
  },
  nomenclature_code_invalid: {
    ru: 'код маркировки — строка до 150 символов, как напечатан, или до 32 байтов в шестнадцатеричном виде через пробел.',
    en: 'the marking code is a string of at most 150 characters as printed, or at most 32 hex bytes separated by spaces.',
  },
  inn_invalid: {
    ru: 'ИНН состоит из 10 или 12 цифр.',
    en: 'an INN is 10 or 12 digits.',
  },
  phone_invalid: {
    ru: 'телефон без пробелов: до 17 символов или «+» и до 18 символов.',
    en: 'a phone number has no spaces: up to 17 characters, or "+" and up to 18.',
  },
  supplier_info_missing: {
    ru: 'при agent_info нужен supplier_info (данные поставщика).',
    en: 'supplier_info (the supplier) is required together with agent_info.',
  },
  id_equals_origin: {
    ru: 'id второго чека должен отличаться от originId.',
    en: 'the second receipt id must differ from originId.',
  },
  full_payment_required: {
    ru: 'во втором чеке способ расчёта только full_payment.',
    en: 'a second receipt takes payment_method full_payment only.',
  },
  payments_total_mismatch: {
    ru: 'сумма оплат {sum} не равна итогу чека total {expected}.',
    en: 'the payments add up to {sum}, not to the receipt total {expected}.',
  },
} as const satisfies Record<string, LocalizedText>;

export type ReceiptProblemReason = keyof typeof RECEIPT_PROBLEM_TEXTS;

/** The summary a payment page shows before the first problems. */
export const RECEIPT_INVALID_SUMMARY = {
  ru: 'Неверный чек (Receipt).',
  en: 'The receipt (Receipt) is invalid.',
} as const satisfies LocalizedText;

export const RECEIPT_MORE_PROBLEMS = {
  ru: 'И ещё ошибок: {count}.',
  en: 'And {count} more problems.',
} as const satisfies LocalizedText;
