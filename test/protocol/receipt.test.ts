/**
 * Receipt parsing (src/modules/protocol/receipt.ts): every rule with a valid and an invalid case, the
 * encodings of reference §1.3, the free-sale receipt, and property tests over generated receipts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildFreeSaleReceipt,
  FREE_SALE_ITEM_NAME,
  formatReceiptJson,
  MAX_RECEIPT_TOTAL_MINOR,
  parseReceipt,
  parseReceiptItemList,
  RECEIPT_PAYMENT_METHODS,
  RECEIPT_PAYMENT_OBJECTS,
  RECEIPT_SNO_VALUES,
  RECEIPT_TAX_VALUES,
  resolvePaymentReceipt,
  type Receipt,
  type ReceiptItem,
  type ReceiptProblem,
} from '../../src/modules/protocol/index.js';

/** A JSON number written exactly as given (JSON.stringify would go through a float). */
function raw(text: string): string {
  return `@raw:${text}`;
}

function toJson(value: unknown): string {
  return JSON.stringify(value).replace(/"@raw:([^"]*)"/g, '$1');
}

const TEA = { name: 'Чай', quantity: 1, sum: 100, tax: 'vat20' };

function receiptOf(items: unknown[], extra: Record<string, unknown> = {}): string {
  return toJson({ ...extra, items });
}

function accepted(text: string, outSumMinor: bigint): Receipt {
  const result = parseReceipt(text, outSumMinor);
  if (!result.ok) throw new Error(`unexpected rejection: ${JSON.stringify(result.problems, null, 1)}`);
  return result.receipt;
}

function problemsOf(text: string, outSumMinor: bigint): readonly ReceiptProblem[] {
  const result = parseReceipt(text, outSumMinor);
  if (result.ok) throw new Error('unexpectedly accepted');
  expect(result.error.code).toBe(30);
  expect(result.error.field).toBe('Receipt');
  return result.problems;
}

/** PHP's urlencode: RFC 3986 plus `~` encoded and space as `+`. */
function phpUrlencode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (character) => '%' + character.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

const V7_RECEIPT =
  '{"items":[{"sum":"100.00","name":"Название товара 1","quantity":1,"tax":"vat10","payment_method":"full_payment","payment_object":"commodity"},{"sum":"450.00","name":"Название товара 2","quantity":3,"tax":"vat120","payment_method":"full_payment","payment_object":"excise","nomenclature_code":"04620034587217"}],"sno":"osn"}';
const V11_RECEIPT =
  '%7B%22items%22%3A%5B%7B%22name%22%3A%22product%22%2C%22quantity%22%3A1%2C%22sum%22%3A8.96%2C%22tax%22%3A%22none%22%7D%5D%7D';

describe('parseReceipt: valid receipts', () => {
  it('reads the reference V7 receipt (raw JSON, sums as strings) exactly', () => {
    const receipt = accepted(V7_RECEIPT, 55_000n);
    expect(receipt).toEqual({
      sno: 'osn',
      totalMinor: 55_000n,
      items: [
        {
          name: 'Название товара 1',
          quantity: '1',
          quantityThousandths: 1000n,
          priceMinor: 10_000n,
          sumMinor: 10_000n,
          hasExactPrice: true,
          tax: 'vat10',
          paymentMethod: 'full_payment',
          paymentObject: 'commodity',
        },
        {
          name: 'Название товара 2',
          quantity: '3',
          quantityThousandths: 3000n,
          priceMinor: 15_000n,
          sumMinor: 45_000n,
          hasExactPrice: true,
          tax: 'vat120',
          paymentMethod: 'full_payment',
          paymentObject: 'excise',
          nomenclatureCode: '04620034587217',
        },
      ],
    });
  });

  it('reads the reference V11 receipt, URL-encoded once', () => {
    const result = parseReceipt(V11_RECEIPT, 896n);
    expect(result).toMatchObject({ ok: true, urlDecodings: 1 });
    if (result.ok) expect(result.receipt.items[0]).toMatchObject({ name: 'product', sumMinor: 896n });
  });

  it.each([
    ['raw JSON', (json: string) => json, 0],
    ['encodeURIComponent once', encodeURIComponent, 1],
    ['encodeURIComponent twice', (json: string) => encodeURIComponent(encodeURIComponent(json)), 2],
    ['PHP urlencode once (space as +)', phpUrlencode, 1],
    ['PHP urlencode twice', (json: string) => phpUrlencode(phpUrlencode(json)), 2],
    ['three times', (json: string) => encodeURIComponent(encodeURIComponent(encodeURIComponent(json))), 3],
  ])('decodes %s', (_label, encode, urlDecodings) => {
    const json = receiptOf([{ ...TEA, name: 'Чай "Пуэр" 1+1 & 100% {}' }]);
    const result = parseReceipt(encode(json), 10_000n);
    expect(result).toMatchObject({ ok: true, urlDecodings });
    if (result.ok) expect(result.receipt.items[0]?.name).toBe('Чай "Пуэр" 1+1 & 100% {}');
  });

  it('prefers form decoding (+ is a space) and falls back to percent decoding when only that gives JSON', () => {
    const text =
      '%7B%22items%22%3A%5B%7B%22name%22%3A%22a+b%22%2C%22quantity%22%3A1%2C%22sum%22%3A1%2C%22tax%22%3A%22none%22%7D%5D%2C%22sno%22%3A%22osn%22%7D';
    expect(accepted(text, 100n).items[0]?.name).toBe('a b');
    const plusInNumber =
      '%7B%22items%22%3A%5B%7B%22name%22%3A%22a%22%2C%22quantity%22%3A1%2C%22sum%22%3A1e+0%2C%22tax%22%3A%22none%22%7D%5D%7D';
    expect(accepted(plusInNumber, 100n).items[0]?.sumMinor).toBe(100n);
  });

  it('ignores a byte-order mark and surrounding whitespace', () => {
    expect(accepted(`\uFEFF \n${receiptOf([TEA])}\n `, 10_000n).items).toHaveLength(1);
  });

  it('accepts numbers as JSON numbers or strings, trailing zeros and exponents, exactly', () => {
    const receipt = accepted(
      receiptOf([
        { ...TEA, quantity: '1.500', sum: '150.000000' },
        { ...TEA, quantity: raw('2.0'), sum: raw('1e2') },
        { ...TEA, quantity: raw('0.001'), sum: raw('0.01') },
      ]),
      25_001n,
    );
    expect(receipt.items.map((item) => [item.quantity, item.quantityThousandths, item.sumMinor])).toEqual([
      ['1.5', 1500n, 15_000n],
      ['2', 2000n, 10_000n],
      ['0.001', 1n, 1n],
    ]);
  });

  it('computes sum from cost × quantity, rounding half up to the kopeck', () => {
    const receipt = accepted(
      receiptOf([
        { name: 'a', quantity: 3, cost: 33.33, tax: 'none' },
        { name: 'b', quantity: raw('1.555'), cost: 10.99, tax: 'none' },
        { name: 'c', quantity: raw('0.5'), cost: 0.01, tax: 'none' },
      ]),
      9_999n + 1_709n + 1n,
    );
    expect(receipt.items.map((item) => [item.priceMinor, item.sumMinor, item.hasExactPrice])).toEqual([
      [3_333n, 9_999n, true],
      [1_099n, 1_709n, true],
      [1n, 1n, true],
    ]);
  });

  it('accepts sum and cost together when they agree', () => {
    const receipt = accepted(
      receiptOf([{ name: 'a', quantity: raw('1.555'), cost: 10.99, sum: 17.09, tax: 'none' }]),
      1_709n,
    );
    expect(receipt.items[0]).toMatchObject({ priceMinor: 1_099n, sumMinor: 1_709n, hasExactPrice: true });
  });

  it('derives the unit price from sum alone and says whether it is exact', () => {
    const receipt = accepted(
      receiptOf([
        { name: 'a', quantity: 3, sum: 100, tax: 'none' },
        { name: 'b', quantity: 3, sum: 450, tax: 'none' },
        { name: 'c', quantity: raw('0.5'), sum: 0.01, tax: 'none' },
      ]),
      55_001n,
    );
    expect(receipt.items.map((item) => [item.priceMinor, item.hasExactPrice])).toEqual([
      [3_333n, false],
      [15_000n, true],
      [2n, true],
    ]);
  });

  it('accepts the limits themselves', () => {
    const name = 'я'.repeat(128);
    const receipt = accepted(
      receiptOf([
        { name, quantity: raw('99999.999'), sum: 1, tax: 'none' },
        { name: 'max', quantity: 1, sum: raw('42949672.95'), tax: 'none' },
        { name: 'free', quantity: 1, sum: 0, tax: 'none' },
      ]),
      4_294_967_295n + 100n,
    );
    expect(receipt.items.map((item) => item.sumMinor)).toEqual([100n, 4_294_967_295n, 0n]);
    expect(receipt.items[0]?.quantityThousandths).toBe(99_999_999n);
  });

  it('accepts 100 items', () => {
    const items = Array.from({ length: 100 }, (_, index) => ({ ...TEA, name: `#${index}`, sum: 1 }));
    expect(accepted(receiptOf(items), 10_000n).items).toHaveLength(100);
  });

  it.each(RECEIPT_TAX_VALUES)('accepts tax %s', (tax) => {
    expect(accepted(receiptOf([{ ...TEA, tax }]), 10_000n).items[0]?.tax).toBe(tax);
  });

  it('includes the 2025 and 2026 rates', () => {
    expect(RECEIPT_TAX_VALUES).toEqual(
      expect.arrayContaining(['vat5', 'vat7', 'vat105', 'vat107', 'vat22', 'vat122']),
    );
  });

  it.each(RECEIPT_PAYMENT_METHODS)('accepts payment_method %s', (method) => {
    const receipt = accepted(receiptOf([{ ...TEA, payment_method: method }]), 10_000n);
    expect(receipt.items[0]?.paymentMethod).toBe(method);
  });

  it.each(RECEIPT_PAYMENT_OBJECTS)('accepts payment_object %s', (object) => {
    const receipt = accepted(receiptOf([{ ...TEA, payment_object: object }]), 10_000n);
    expect(receipt.items[0]?.paymentObject).toBe(object);
  });

  it.each(RECEIPT_SNO_VALUES)('accepts sno %s', (sno) => {
    expect(accepted(receiptOf([TEA], { sno }), 10_000n).sno).toBe(sno);
  });

  it('matches enumerated values ignoring case and treats "" or null optional values as absent', () => {
    const receipt = accepted(
      receiptOf([{ ...TEA, tax: 'VAT20', payment_method: '', payment_object: null, nomenclature_code: '' }], {
        sno: 'USN_Income',
      }),
      10_000n,
    );
    expect(receipt.sno).toBe('usn_income');
    expect(receipt.items[0]).toEqual({
      name: 'Чай',
      quantity: '1',
      quantityThousandths: 1000n,
      priceMinor: 10_000n,
      sumMinor: 10_000n,
      hasExactPrice: true,
      tax: 'vat20',
    });
    expect(accepted(receiptOf([TEA], { sno: null }), 10_000n)).not.toHaveProperty('sno');
  });

  it('ignores keys the references do not name', () => {
    const receipt = accepted(
      receiptOf([{ ...TEA, price: 5, vat: { type: 'vat20' } }], { total: 1 }),
      10_000n,
    );
    expect(receipt.items[0]).not.toHaveProperty('price');
  });

  it('accepts marking codes as printed (≤ 150) or as hex bytes (≤ 32)', () => {
    const printed = '010462003458721721' + 'x'.repeat(132);
    const hex = Array.from({ length: 32 }, () => 'AB').join(' ');
    const receipt = accepted(
      receiptOf([
        { ...TEA, nomenclature_code: printed },
        { ...TEA, nomenclature_code: hex },
      ]),
      20_000n,
    );
    expect(receipt.items.map((item) => item.nomenclatureCode)).toEqual([printed, hex]);
  });

  it('reads agent and supplier attributes (ATOL v4 shape)', () => {
    const receipt = accepted(
      receiptOf([
        {
          ...TEA,
          agent_info: {
            type: 'commission_agent',
            paying_agent: { operation: 'Комиссия', phones: ['+79001234567'] },
            receive_payments_operator: { phones: ['79001234567'] },
            money_transfer_operator: { name: 'ООО Банк', address: 'Москва', inn: '7707083893', phones: [] },
          },
          supplier_info: { name: 'ООО «Лютик»', inn: '956839506500', phones: ['+79990000000'] },
        },
      ]),
      10_000n,
    );
    expect(receipt.items[0]?.agentInfo).toEqual({
      type: 'commission_agent',
      payingAgent: { operation: 'Комиссия', phones: ['+79001234567'] },
      receivePaymentsOperator: { phones: ['79001234567'] },
      moneyTransferOperator: { name: 'ООО Банк', address: 'Москва', inn: '7707083893', phones: [] },
    });
    expect(receipt.items[0]?.supplierInfo).toEqual({
      inn: '956839506500',
      name: 'ООО «Лютик»',
      phones: ['+79990000000'],
    });
  });
});

interface InvalidCase {
  readonly label: string;
  readonly item: Record<string, unknown>;
  readonly reason: ReceiptProblem['reason'];
  readonly field: string;
}

const INVALID_ITEMS: readonly InvalidCase[] = [
  { label: 'name missing', item: { ...TEA, name: undefined }, reason: 'value_missing', field: 'name' },
  { label: 'name not a string', item: { ...TEA, name: 5 }, reason: 'value_not_string', field: 'name' },
  { label: 'name blank', item: { ...TEA, name: '  ' }, reason: 'value_empty', field: 'name' },
  {
    label: 'name of 129 characters',
    item: { ...TEA, name: 'я'.repeat(129) },
    reason: 'value_too_long',
    field: 'name',
  },
  {
    label: 'quantity missing',
    item: { ...TEA, quantity: undefined },
    reason: 'value_missing',
    field: 'quantity',
  },
  {
    label: 'quantity zero',
    item: { ...TEA, quantity: 0 },
    reason: 'quantity_not_positive',
    field: 'quantity',
  },
  {
    label: 'quantity negative',
    item: { ...TEA, quantity: -1 },
    reason: 'quantity_not_positive',
    field: 'quantity',
  },
  {
    label: 'quantity with 4 decimals',
    item: { ...TEA, quantity: raw('1.0001') },
    reason: 'quantity_precision',
    field: 'quantity',
  },
  {
    label: 'quantity above 99999.999',
    item: { ...TEA, quantity: 100_000 },
    reason: 'quantity_too_large',
    field: 'quantity',
  },
  {
    label: 'quantity with a comma',
    item: { ...TEA, quantity: '1,5' },
    reason: 'number_invalid',
    field: 'quantity',
  },
  {
    label: 'quantity as a word',
    item: { ...TEA, quantity: 'one' },
    reason: 'number_invalid',
    field: 'quantity',
  },
  {
    label: 'quantity as a boolean',
    item: { ...TEA, quantity: true },
    reason: 'number_invalid',
    field: 'quantity',
  },
  {
    label: 'quantity with a huge exponent',
    item: { ...TEA, quantity: raw('1e99999999') },
    reason: 'number_invalid',
    field: 'quantity',
  },
  { label: 'no sum and no cost', item: { ...TEA, sum: undefined }, reason: 'amount_missing', field: 'sum' },
  { label: 'sum negative', item: { ...TEA, sum: -1 }, reason: 'amount_negative', field: 'sum' },
  {
    label: 'sum with 3 decimals',
    item: { ...TEA, sum: raw('100.001') },
    reason: 'amount_precision',
    field: 'sum',
  },
  {
    label: 'sum above 42949672.95',
    item: { ...TEA, sum: raw('42949672.96') },
    reason: 'amount_too_large',
    field: 'sum',
  },
  { label: 'sum with leading zeros', item: { ...TEA, sum: '0100' }, reason: 'number_invalid', field: 'sum' },
  {
    label: 'cost with 3 decimals',
    item: { ...TEA, sum: undefined, cost: raw('1.005') },
    reason: 'amount_precision',
    field: 'cost',
  },
  {
    label: 'cost negative',
    item: { ...TEA, sum: undefined, cost: -5 },
    reason: 'amount_negative',
    field: 'cost',
  },
  {
    label: 'sum ≠ cost × quantity',
    item: { ...TEA, quantity: 3, cost: 33.33, sum: 100 },
    reason: 'sum_mismatch',
    field: 'sum',
  },
  {
    label: 'cost × quantity above the limit',
    item: { ...TEA, quantity: 2, cost: raw('42949672.95'), sum: undefined },
    reason: 'amount_too_large',
    field: 'sum',
  },
  {
    label: 'unit price above the limit',
    item: { ...TEA, quantity: raw('0.5'), sum: raw('42949672.95') },
    reason: 'price_too_large',
    field: 'sum',
  },
  { label: 'tax missing', item: { ...TEA, tax: undefined }, reason: 'value_missing', field: 'tax' },
  { label: 'tax empty', item: { ...TEA, tax: '' }, reason: 'enum_invalid', field: 'tax' },
  { label: 'tax vat18', item: { ...TEA, tax: 'vat18' }, reason: 'tax_retired', field: 'tax' },
  { label: 'tax vat118', item: { ...TEA, tax: 'vat118' }, reason: 'tax_retired', field: 'tax' },
  { label: 'tax unknown', item: { ...TEA, tax: 'vat21' }, reason: 'enum_invalid', field: 'tax' },
  { label: 'tax as a number', item: { ...TEA, tax: 20 }, reason: 'value_not_string', field: 'tax' },
  {
    label: 'payment_method unknown',
    item: { ...TEA, payment_method: 'cash' },
    reason: 'enum_invalid',
    field: 'payment_method',
  },
  {
    label: 'payment_object outside Robokassa’s list',
    item: { ...TEA, payment_object: 'award' },
    reason: 'enum_invalid',
    field: 'payment_object',
  },
  {
    label: 'nomenclature_code of 151 characters',
    item: { ...TEA, nomenclature_code: 'x'.repeat(151) },
    reason: 'nomenclature_code_invalid',
    field: 'nomenclature_code',
  },
  {
    label: 'nomenclature_code of 33 hex bytes',
    item: { ...TEA, nomenclature_code: Array(33).fill('0A').join(' ') },
    reason: 'nomenclature_code_invalid',
    field: 'nomenclature_code',
  },
  {
    label: 'nomenclature_code as a number',
    item: { ...TEA, nomenclature_code: 123 },
    reason: 'value_not_string',
    field: 'nomenclature_code',
  },
  {
    label: 'agent_info without supplier_info',
    item: { ...TEA, agent_info: { type: 'attorney' } },
    reason: 'supplier_info_missing',
    field: 'supplier_info',
  },
  {
    label: 'agent_info not an object',
    item: { ...TEA, agent_info: 'agent', supplier_info: { inn: '7707083893' } },
    reason: 'value_not_object',
    field: 'agent_info',
  },
  {
    label: 'agent type unknown',
    item: { ...TEA, agent_info: { type: 'bank' }, supplier_info: { inn: '7707083893' } },
    reason: 'enum_invalid',
    field: 'agent_info.type',
  },
  {
    label: 'agent type missing',
    item: { ...TEA, agent_info: {}, supplier_info: { inn: '7707083893' } },
    reason: 'value_missing',
    field: 'agent_info.type',
  },
  {
    label: 'paying agent operation of 25 characters',
    item: {
      ...TEA,
      agent_info: { type: 'paying_agent', paying_agent: { operation: 'x'.repeat(25) } },
      supplier_info: { inn: '7707083893' },
    },
    reason: 'value_too_long',
    field: 'agent_info.paying_agent.operation',
  },
  {
    label: 'operator phone with a space',
    item: {
      ...TEA,
      agent_info: { type: 'paying_agent', money_transfer_operator: { phones: ['+7 900'] } },
      supplier_info: { inn: '7707083893' },
    },
    reason: 'phone_invalid',
    field: 'agent_info.money_transfer_operator.phones',
  },
  {
    label: 'operator INN of 11 digits',
    item: {
      ...TEA,
      agent_info: { type: 'paying_agent', money_transfer_operator: { inn: '77070838931' } },
      supplier_info: { inn: '7707083893' },
    },
    reason: 'inn_invalid',
    field: 'agent_info.money_transfer_operator.inn',
  },
  {
    label: 'supplier without INN',
    item: { ...TEA, supplier_info: { name: 'ООО' } },
    reason: 'value_missing',
    field: 'supplier_info.inn',
  },
  {
    label: 'supplier INN with letters',
    item: { ...TEA, supplier_info: { inn: '77070838AB' } },
    reason: 'inn_invalid',
    field: 'supplier_info.inn',
  },
  {
    label: 'supplier phones not an array',
    item: { ...TEA, supplier_info: { inn: '7707083893', phones: '+79000000000' } },
    reason: 'value_not_array',
    field: 'supplier_info.phones',
  },
  {
    label: 'supplier phone of 18 digits',
    item: { ...TEA, supplier_info: { inn: '7707083893', phones: ['7'.repeat(18)] } },
    reason: 'phone_invalid',
    field: 'supplier_info.phones',
  },
];

describe('parseReceipt: invalid items name the item and the field', () => {
  it.each(INVALID_ITEMS)('$label', ({ item, reason, field }) => {
    const text = receiptOf([{ name: 'Кофе', quantity: 1, sum: 0, tax: 'none' }, item]);
    const problems = problemsOf(text, 10_000n);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem).toMatchObject({ reason, field, item: { index: 2 } });
    expect(problem?.detail.ru).toContain('Позиция 2');
    expect(problem?.detail.en).toContain('Item 2');
    expect(problem?.detail.ru).toContain(`поле ${field}:`);
    expect(problem?.detail.en).toContain(`field ${field}:`);
    const name = item.name;
    if (typeof name === 'string' && name.trim() !== '') {
      expect(problem?.item?.name).toBe(name);
      expect(problem?.detail.ru).toContain(`«${[...name].slice(0, 40).join('')}`);
      expect(problem?.detail.en).toContain(`"${[...name].slice(0, 40).join('')}`);
    } else {
      expect(problem?.item).toEqual({ index: 2 });
    }
  });

  it('writes the full message in both languages', () => {
    const [problem] = problemsOf(receiptOf([{ ...TEA, quantity: raw('1.0001') }]), 10_000n);
    expect(problem?.detail).toEqual({
      ru: 'Позиция 1 «Чай», поле quantity: количество указывается не точнее 3 знаков после точки.',
      en: 'Item 1 "Чай", field quantity: the quantity may have at most 3 decimal places.',
    });
  });

  it('lists every problem of every item, and the summary names the first ones', () => {
    const result = parseReceipt(
      receiptOf([
        { name: 'a', quantity: 0, sum: -1, tax: 'vat18' },
        { name: 'b', quantity: 1, sum: 1, tax: 'none' },
        7,
      ]),
      100n,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => [problem.item?.index, problem.field, problem.reason])).toEqual([
      [1, 'quantity', 'quantity_not_positive'],
      [1, 'sum', 'amount_negative'],
      [1, 'tax', 'tax_retired'],
      [3, undefined, 'value_not_object'],
    ]);
    expect(result.error.detail.ru).toMatch(
      /^Неверный чек \(Receipt\)\. Позиция 1 «a», поле quantity: .*И ещё ошибок: 1\.$/,
    );
    expect(result.error.detail.en).toMatch(
      /^The receipt \(Receipt\) is invalid\. Item 1 "a", field quantity: .*And 1 more problems\.$/,
    );
  });

  it('shortens a long name in the message but keeps it whole in the problem', () => {
    const name = 'Очень длинное название товара, которое не влезает в сообщение целиком';
    const [problem] = problemsOf(receiptOf([{ ...TEA, name, tax: 'x' }]), 10_000n);
    expect(problem?.item?.name).toBe(name);
    expect(problem?.detail.ru).toContain(`«${name.slice(0, 40)}…»`);
  });
});

describe('parseReceipt: invalid receipts', () => {
  it.each([
    ['not JSON', 'hello', 'receipt_not_json', undefined],
    ['broken JSON', '{"items":[', 'receipt_not_json', undefined],
    ['empty', '', 'receipt_not_json', undefined],
    ['broken percent escapes', '%7B%E0%A4%A', 'receipt_not_json', undefined],
    ['a JSON array', '[{"name":"a"}]', 'receipt_not_object', undefined],
    ['a JSON string', '"items"', 'receipt_not_object', undefined],
    [
      'a repeated key',
      '{"items":[{"name":"a","name":"b","quantity":1,"sum":1,"tax":"none"}]}',
      'receipt_duplicate_key',
      undefined,
    ],
    [
      'nesting too deep',
      `{"items":[{"x":${'['.repeat(20)}${']'.repeat(20)}}]}`,
      'receipt_too_deep',
      undefined,
    ],
    ['no items', '{"sno":"osn"}', 'value_missing', 'items'],
    ['items null', '{"items":null}', 'value_missing', 'items'],
    ['items not an array', '{"items":{"name":"a"}}', 'value_not_array', 'items'],
    ['items empty', '{"items":[]}', 'items_empty', 'items'],
    ['sno envd', receiptOf([TEA], { sno: 'envd' }), 'sno_retired', 'sno'],
    ['sno unknown', receiptOf([TEA], { sno: 'usn' }), 'enum_invalid', 'sno'],
  ] as const)('%s', (_label, text, reason, field) => {
    const problems = problemsOf(text, 10_000n);
    expect(problems[0]).toMatchObject({ reason });
    expect(problems[0]?.field).toBe(field);
    expect(problems[0]?.item).toBeUndefined();
  });

  it('refuses 101 items without reading them', () => {
    const items = Array.from({ length: 101 }, () => TEA);
    const [problem] = problemsOf(receiptOf(items), 1_010_000n);
    expect(problem).toMatchObject({ reason: 'items_too_many', field: 'items' });
    expect(problem?.detail.en).toBe(
      'Receipt, field items: a receipt may have at most 100 items; 101 were sent.',
    );
  });

  it('refuses a text longer than 1 MiB unread', () => {
    expect(problemsOf(' '.repeat(1_048_577), 100n)[0]).toMatchObject({ reason: 'receipt_too_long' });
  });

  it('gives the position of a JSON syntax error', () => {
    const [problem] = problemsOf('{"items":[1,]}', 100n);
    expect(problem?.detail.en).toBe(
      'Receipt: a JSON object is expected, raw or URL-encoded; JSON syntax error at character 13.',
    );
  });

  it('refuses items that do not add up to OutSum, naming both amounts', () => {
    const problems = problemsOf(V7_RECEIPT, 10_000n);
    expect(problems).toEqual([
      {
        reason: 'total_mismatch',
        field: 'items',
        detail: {
          ru: 'Чек (Receipt), поле items: сумма позиций 550.00 не равна сумме платежа 100.00.',
          en: 'Receipt, field items: the items add up to 550.00, not to the payment amount 100.00.',
        },
      },
    ]);
    expect(problemsOf(receiptOf([TEA]), 10_001n)[0]?.reason).toBe('total_mismatch');
  });
});

describe('free sale', () => {
  it('is one "Свободная продажа" line for the whole OutSum, tax none by default', () => {
    expect(buildFreeSaleReceipt(10_050n)).toEqual({
      totalMinor: 10_050n,
      items: [
        {
          name: FREE_SALE_ITEM_NAME,
          quantity: '1',
          quantityThousandths: 1000n,
          priceMinor: 10_050n,
          sumMinor: 10_050n,
          hasExactPrice: true,
          tax: 'none',
        },
      ],
    });
    expect(FREE_SALE_ITEM_NAME).toBe('Свободная продажа');
  });

  it("takes the shop's tax, tax system, payment method and object", () => {
    const receipt = buildFreeSaleReceipt(100n, {
      tax: 'vat22',
      sno: 'usn_income',
      paymentMethod: 'full_payment',
      paymentObject: 'service',
    });
    expect(receipt.sno).toBe('usn_income');
    expect(receipt.items[0]).toMatchObject({
      tax: 'vat22',
      paymentMethod: 'full_payment',
      paymentObject: 'service',
    });
  });

  it('splits an amount above the line limit into lines of the limit and the rest', () => {
    const receipt = buildFreeSaleReceipt(2n * 4_294_967_295n + 5n);
    expect(receipt.items.map((item) => item.sumMinor)).toEqual([4_294_967_295n, 4_294_967_295n, 5n]);
    expect(receipt.totalMinor).toBe(2n * 4_294_967_295n + 5n);
  });

  it('refuses an amount of zero or one no receipt can hold', () => {
    expect(() => buildFreeSaleReceipt(0n)).toThrow(RangeError);
    expect(() => buildFreeSaleReceipt(100n * 4_294_967_295n)).not.toThrow();
    expect(() => buildFreeSaleReceipt(100n * 4_294_967_295n + 1n)).toThrow(RangeError);
  });

  it('serialises to JSON that parseReceipt reads back unchanged', () => {
    const receipt = buildFreeSaleReceipt(4_294_967_295n + 1n, { tax: 'vat20', sno: 'osn' });
    const json = formatReceiptJson(receipt);
    expect(json).toBe(
      '{"sno":"osn","items":[{"name":"Свободная продажа","quantity":1,"cost":42949672.95,"sum":42949672.95,"tax":"vat20"},{"name":"Свободная продажа","quantity":1,"cost":0.01,"sum":0.01,"tax":"vat20"}]}',
    );
    expect(accepted(json, receipt.totalMinor)).toEqual(receipt);
  });
});

describe('resolvePaymentReceipt', () => {
  it("uses the merchant's Receipt when one came, whatever IsWithoutFreeSale says", () => {
    for (const isWithoutFreeSale of [false, true]) {
      const resolution = resolvePaymentReceipt({
        receipt: V11_RECEIPT,
        outSumMinor: 896n,
        isWithoutFreeSale,
      });
      expect(resolution).toMatchObject({ kind: 'merchant', urlDecodings: 1 });
    }
  });

  it('refuses an invalid Receipt with code 30', () => {
    const resolution = resolvePaymentReceipt({
      receipt: V11_RECEIPT,
      outSumMinor: 900n,
      isWithoutFreeSale: false,
    });
    expect(resolution).toMatchObject({ kind: 'invalid', error: { code: 30, field: 'Receipt' } });
  });

  it('builds a free sale without a Receipt, and defers it with IsWithoutFreeSale=true', () => {
    for (const receipt of [undefined, '']) {
      expect(resolvePaymentReceipt({ receipt, outSumMinor: 500n, isWithoutFreeSale: false })).toEqual({
        kind: 'free_sale',
        receipt: buildFreeSaleReceipt(500n),
      });
      expect(resolvePaymentReceipt({ receipt, outSumMinor: 500n, isWithoutFreeSale: true })).toEqual({
        kind: 'deferred',
      });
    }
    const huge = resolvePaymentReceipt({ outSumMinor: 100n * 4_294_967_295n + 1n, isWithoutFreeSale: false });
    expect(huge).toMatchObject({
      kind: 'invalid',
      error: { code: 30 },
      problems: [{ reason: 'amount_too_large' }],
    });
    const withTax = resolvePaymentReceipt({
      outSumMinor: 500n,
      isWithoutFreeSale: false,
      freeSale: { tax: 'vat10' },
    });
    expect(withTax).toMatchObject({ kind: 'free_sale', receipt: { items: [{ tax: 'vat10' }] } });
  });
});

/* ---------------------------------------------------------------------------------------------------
 * Property tests
 */

interface GeneratedItem {
  readonly json: Record<string, unknown>;
  readonly sumMinor: bigint;
  readonly quantityThousandths: bigint;
  readonly name: string;
}

function formatDecimal(units: bigint, scale: number, trailingZeros: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale) + '0'.repeat(trailingZeros);
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

const nameArbitrary = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
  .filter((name) => name.trim() !== '' && [...name].length <= 128);

const itemArbitrary: fc.Arbitrary<GeneratedItem> = fc
  .record({
    name: nameArbitrary,
    quantityThousandths: fc.bigInt({ min: 1n, max: 99_999_999n }),
    unitMinor: fc.bigInt({ min: 0n, max: 10_000_000n }),
    mode: fc.constantFrom('sum', 'cost', 'both'),
    asString: fc.boolean(),
    trailingZeros: fc.nat({ max: 3 }),
    tax: fc.constantFrom(...RECEIPT_TAX_VALUES),
    paymentMethod: fc.option(fc.constantFrom(...RECEIPT_PAYMENT_METHODS), { nil: undefined }),
    paymentObject: fc.option(fc.constantFrom(...RECEIPT_PAYMENT_OBJECTS), { nil: undefined }),
  })
  .map((generated) => {
    const { quantityThousandths, unitMinor, mode, asString, trailingZeros } = generated;
    const costMinor = unitMinor;
    const sumMinor = (2n * costMinor * quantityThousandths + 1000n) / 2000n;
    const number = (text: string) => (asString ? text : raw(text));
    const quantity = number(formatDecimal(quantityThousandths, 3, trailingZeros));
    const cost = number(formatDecimal(costMinor, 2, trailingZeros));
    const sum = number(formatDecimal(sumMinor, 2, trailingZeros));
    const json: Record<string, unknown> = {
      name: generated.name,
      quantity,
      ...(mode === 'sum' ? {} : { cost }),
      ...(mode === 'cost' ? {} : { sum }),
      tax: generated.tax,
      ...(generated.paymentMethod === undefined ? {} : { payment_method: generated.paymentMethod }),
      ...(generated.paymentObject === undefined ? {} : { payment_object: generated.paymentObject }),
    };
    return { json, sumMinor, quantityThousandths, name: generated.name };
  })
  .filter((item) => item.sumMinor < 4_294_967_295n);

const receiptArbitrary = fc
  .record({
    items: fc.array(itemArbitrary, { minLength: 1, maxLength: 8 }),
    sno: fc.option(fc.constantFrom(...RECEIPT_SNO_VALUES), { nil: undefined }),
  })
  // A receipt's total has 8 + 2 digits (checked by its own test below).
  .filter(({ items }) => items.reduce((total, item) => total + item.sumMinor, 0n) <= MAX_RECEIPT_TOTAL_MINOR);

const encodings: readonly [string, (json: string) => string, number][] = [
  ['raw', (json) => json, 0],
  ['once', encodeURIComponent, 1],
  ['twice', (json) => encodeURIComponent(encodeURIComponent(json)), 2],
  ['PHP once', phpUrlencode, 1],
  ['PHP twice', (json) => phpUrlencode(phpUrlencode(json)), 2],
];

function totalOf(items: readonly GeneratedItem[]): bigint {
  return items.reduce((total, item) => total + item.sumMinor, 0n);
}

describe('parseReceipt: properties', () => {
  it('accepts any consistent receipt, raw or URL-encoded once or twice, and reads it exactly', () => {
    fc.assert(
      fc.property(receiptArbitrary, fc.constantFrom(...encodings), ({ items, sno }, [, encode, layers]) => {
        const json = receiptOf(
          items.map((item) => item.json),
          sno === undefined ? {} : { sno },
        );
        const result = parseReceipt(encode(json), totalOf(items));
        expect(result).toMatchObject({ ok: true, urlDecodings: layers });
        if (!result.ok) return;
        expect(result.receipt.sno).toBe(sno);
        result.receipt.items.forEach((parsed: ReceiptItem, index) => {
          const generated = items[index]!;
          expect(parsed.name).toBe(generated.name);
          expect(parsed.sumMinor).toBe(generated.sumMinor);
          expect(parsed.quantityThousandths).toBe(generated.quantityThousandths);
          expect(parsed.tax).toBe(generated.json.tax);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("fails when any one item's sum moves by one kopeck", () => {
    fc.assert(
      fc.property(receiptArbitrary, fc.nat(), fc.boolean(), ({ items }, pick, isUp) => {
        const index = pick % items.length;
        const target = items[index]!;
        if (!isUp && target.sumMinor === 0n) return;
        const changedSum = target.sumMinor + (isUp ? 1n : -1n);
        const changed = items.map((item, position) =>
          position === index ? { ...item.json, sum: raw(formatDecimal(changedSum, 2, 0)) } : item.json,
        );
        const result = parseReceipt(receiptOf(changed), totalOf(items));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.problems.map((problem) => problem.reason)).toEqual([
          'cost' in target.json ? 'sum_mismatch' : 'total_mismatch',
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('formatReceiptJson writes what parseReceipt reads back unchanged', () => {
    fc.assert(
      fc.property(receiptArbitrary, ({ items, sno }) => {
        const total = totalOf(items);
        const first = accepted(
          receiptOf(
            items.map((item) => item.json),
            sno === undefined ? {} : { sno },
          ),
          total,
        );
        expect(accepted(formatReceiptJson(first), total)).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('reads any quantity of up to 3 decimals exactly and refuses a 4th significant one', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 99_999_999n }),
        fc.integer({ min: 1, max: 9 }),
        (thousandths, extra) => {
          const text = formatDecimal(thousandths, 3, 0);
          const ok = accepted(receiptOf([{ ...TEA, quantity: raw(text), sum: 0 }]), 0n);
          expect(ok.items[0]?.quantityThousandths).toBe(thousandths);
          const tooPrecise = receiptOf([{ ...TEA, quantity: raw(`${text}${extra}`), sum: 0 }]);
          expect(problemsOf(tooPrecise, 0n).map((problem) => problem.reason)).toContain('quantity_precision');
        },
      ),
    );
  });
});

describe('the receipt total and item lists of the Invoice and Refund APIs', () => {
  it("refuses a receipt whose total is beyond the register's 8 + 2 digits, whatever OutSum allows", () => {
    const line = { name: 'Станок', quantity: 1, cost: raw('42949672.95'), tax: 'none' };
    const items = [line, line, line];
    const total = 3n * 4_294_967_295n;
    const parsed = parseReceipt(toJson({ items }), total);
    expect(total > MAX_RECEIPT_TOTAL_MINOR).toBe(true);
    expect(parsed).toMatchObject({ ok: false, problems: [{ reason: 'amount_too_large', field: 'items' }] });
  });

  it('reads PascalCase InvoiceItems and names the item and the field as the sender spelled them', () => {
    const good = parseReceiptItemList(
      [{ Name: 'Кофе', Quantity: 2, Cost: 5.5, Tax: 'vat20', PaymentMethod: 'full_payment' }],
      'pascal',
      1_100n,
    );
    expect(good).toMatchObject({
      ok: true,
      receipt: { totalMinor: 1_100n, items: [{ priceMinor: 550n, paymentMethod: 'full_payment' }] },
    });
    const bad = parseReceiptItemList(
      [
        { Name: 'Кофе', Quantity: 1, Cost: 10, Tax: 'vat20' },
        { Name: 'Чай', Quantity: 1, Cost: 5, Tax: 'vat18' },
      ],
      'pascal',
    );
    expect(bad).toMatchObject({
      ok: false,
      problems: [{ reason: 'tax_retired', field: 'Tax', item: { index: 2, name: 'Чай' } }],
    });
    if (bad.ok) throw new Error('expected a problem');
    expect(bad.message.en).toContain('Item 2 "Чай", field Tax');
    expect(bad.message.ru).toContain('Позиция 2 «Чай», поле Tax');
  });

  it('checks an item list against the amount it must add up to, and refuses what is not a list', () => {
    const items = [{ name: 'Кофе', quantity: 1, cost: '10.00', tax: 'none' }];
    expect(parseReceiptItemList(items, 'camel', 1_000n).ok).toBe(true);
    expect(parseReceiptItemList(items, 'camel', 900n)).toMatchObject({
      ok: false,
      problems: [{ reason: 'total_mismatch', field: 'items' }],
    });
    expect(parseReceiptItemList({ Name: 'x' }, 'pascal')).toMatchObject({
      ok: false,
      problems: [{ reason: 'value_not_array', field: 'InvoiceItems' }],
    });
    expect(parseReceiptItemList([], 'pascal')).toMatchObject({
      ok: false,
      problems: [{ reason: 'items_empty', field: 'InvoiceItems' }],
    });
  });
});
