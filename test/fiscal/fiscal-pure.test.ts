/**
 * The fiscal module's pure parts: ATOL's time format (Moscow), money as JSON numbers, the QR text, the
 * draft's 54-FZ checks, the stored draft's round trip, the ATOL answers' reading, the sandbox's schema
 * checks, and Robokassa's Receipt made into a draft. Property tests for the conversions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildAtolDocument,
  buildFiscalQr,
  draftFromJson,
  draftFromReceipt,
  draftToJson,
  fallbackDraft,
  freeSaleDraft,
  findDraftProblems,
  formatAtolTimestamp,
  lineSumMinor,
  parseAtolTimestamp,
  type FiscalReceiptDraft,
} from '../../src/modules/fiscal/index.js';
import { interpretRegistration, interpretReport } from '../../src/modules/fiscal/providers/atol.answers.js';
import { atolNumberToMinor, minorToAtolNumber } from '../../src/modules/fiscal/providers/atol.document.js';
import {
  checkDocumentSchema,
  findRegisterError,
} from '../../src/modules/fiscal/providers/atol-sandbox.validation.js';
import {
  parseReceipt,
  parseReceiptItemList,
  receiptFromStoredJson,
  receiptToStoredJson,
} from '../../src/modules/protocol/index.js';
import { draftOf, SHOP_INN } from './helpers.js';

describe('ATOL time', () => {
  it('is dd.mm.yyyy HH:MM:SS in Moscow time (UTC+3)', () => {
    expect(formatAtolTimestamp(new Date('2026-03-02T21:30:05Z'))).toBe('03.03.2026 00:30:05');
    expect(parseAtolTimestamp('03.03.2026 00:30:05')?.toISOString()).toBe('2026-03-02T21:30:05.000Z');
  });

  it('refuses texts that are not dates', () => {
    for (const text of ['31.02.2026 10:00:00', '2026-03-02 10:00:00', '02.03.2026 24:00:00', ''])
      expect(parseAtolTimestamp(text)).toBeUndefined();
  });

  it('round-trips every second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 946_684_800, max: 4_102_444_800 }), (seconds) => {
        const moment = new Date(seconds * 1000);
        expect(parseAtolTimestamp(formatAtolTimestamp(moment))?.getTime()).toBe(moment.getTime());
      }),
    );
  });
});

describe('money on the wire', () => {
  it('kopecks go out as numbers with two decimals and come back exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 9_999_999_999n }), (minor) => {
        const number = minorToAtolNumber(minor);
        expect(atolNumberToMinor(number)).toBe(minor);
        expect(JSON.stringify(number)).toMatch(/^\d+(\.\d{1,2})?$/);
      }),
    );
  });

  it('refuses a third decimal, negatives and non-numbers', () => {
    expect(atolNumberToMinor(1.005)).toBeUndefined();
    expect(atolNumberToMinor(-1)).toBeUndefined();
    expect(atolNumberToMinor('1.00')).toBeUndefined();
  });
});

describe('the QR text', () => {
  it('follows the fixed format, n=1 for a sale and n=2 for its refund', () => {
    const source = {
      receiptDatetime: '22.05.2018 12:28:00',
      totalMinor: 450_000n,
      fnNumber: '9288000100014915',
      fiscalDocumentNumber: 108n,
      fiscalDocumentAttribute: 3_004_144_185n,
    };
    expect(buildFiscalQr({ ...source, kind: 'sell' })).toBe(
      't=20180522T1228&s=4500.00&fn=9288000100014915&i=108&fp=3004144185&n=1',
    );
    expect(buildFiscalQr({ ...source, kind: 'sell_refund' })).toMatch(/&n=2$/);
    expect(buildFiscalQr({ ...source, totalMinor: 5n, kind: 'sell' })).toContain('&s=0.05&');
  });
});

describe('draft checks', () => {
  const check = (draft: FiscalReceiptDraft, total: bigint) =>
    findDraftProblems(draft, total).map((problem) => problem.en);

  it('accept a correct draft', () => {
    expect(check(draftOf(74_550n, 2n), 149_100n)).toEqual([]);
  });

  it('round a line half up to the kopeck', () => {
    expect(lineSumMinor(3_333n, 1_500n)).toBe(5_000n); // 33.33 × 1.5 = 49.995 → 50.00
    expect(lineSumMinor(3_333n, 3_000n)).toBe(9_999n);
  });

  const cases: { name: string; draft: FiscalReceiptDraft; total: bigint; problem: RegExp }[] = [
    {
      name: 'a total other than the amount',
      draft: draftOf(100n),
      total: 200n,
      problem: /differs from the operation's amount 2\.00/,
    },
    {
      name: 'a sum that is not price × quantity',
      draft: { ...draftOf(100n), items: [{ ...draftOf(100n).items[0]!, sumMinor: 101n }] },
      total: 101n,
      problem: /Item 1: the sum is not price × quantity/,
    },
    { name: 'no items', draft: { items: [] }, total: 0n, problem: /1 to 100 items/ },
    {
      name: 'payments short of the total',
      draft: { ...draftOf(100n), payments: [{ type: 1, sumMinor: 50n }] },
      total: 100n,
      problem: /do not add up/,
    },
    {
      name: 'a bad buyer e-mail',
      draft: { ...draftOf(100n), client: { email: 'nobody' } },
      total: 100n,
      problem: /buyer's e-mail/,
    },
    {
      name: 'an agent whose supplier has a wrong INN',
      draft: {
        ...draftOf(100n),
        agent: {
          type: 'paying_agent',
          payingAgent: { operation: 'Платёж', phones: ['+79990000000'] },
          supplier: { name: 'ООО «Лютик»', inn: '7707083894', phones: ['+79990000001'] },
        },
      },
      total: 100n,
      problem: /supplier's INN/,
    },
  ];
  for (const testCase of cases)
    it(`find ${testCase.name}`, () => {
      expect(check(testCase.draft, testCase.total).join(' ')).toMatch(testCase.problem);
    });
});

describe('the ATOL document', () => {
  const company = {
    inn: SHOP_INN,
    sno: 'osn',
    paymentAddress: 'https://books.example.ru',
    email: 'shop@example.ru',
  } as const;

  it('puts agent attributes and the supplier on every item, and the shop e-mail when the buyer left none', () => {
    const draft: FiscalReceiptDraft = {
      ...draftOf(100n),
      client: undefined,
      agent: {
        type: 'paying_agent',
        payingAgent: { operation: 'Приём платежа', phones: ['+74950000000'] },
        receivePaymentsOperatorPhones: ['+74950000001'],
        supplier: { name: 'ООО «Книжная лавка»', inn: SHOP_INN, phones: ['+74950000002'] },
      },
    };
    expect(findDraftProblems(draft, 100n)).toEqual([]);
    const document = buildAtolDocument({
      externalId: 'x.1',
      createdAt: new Date('2026-03-02T09:00:00Z'),
      company,
      draft,
    });
    expect(document.receipt.client).toEqual({ email: 'shop@example.ru' });
    expect(document.receipt.items[0]).toMatchObject({
      agent_info: {
        type: 'paying_agent',
        paying_agent: { operation: 'Приём платежа', phones: ['+74950000000'] },
        receive_payments_operator: { phones: ['+74950000001'] },
      },
      supplier_info: { name: 'ООО «Книжная лавка»', inn: SHOP_INN, phones: ['+74950000002'] },
    });
    expect(checkDocumentSchema(document)).toEqual([]);
    expect(findRegisterError(document, SHOP_INN)).toBeNull();
  });

  it('maps payment objects to v5 codes', () => {
    const draft = {
      ...draftOf(100n),
      items: [{ ...draftOf(100n).items[0]!, paymentObject: 'service' as const }],
    };
    const document = buildAtolDocument({ externalId: 'x.1', createdAt: new Date(), company, draft });
    expect(document.receipt.items[0]?.payment_object).toBe(4);
  });
});

describe('the stored draft', () => {
  it('round-trips through JSON', () => {
    const draft: FiscalReceiptDraft = {
      ...draftOf(12_345n, 3n),
      payments: [{ type: 1, sumMinor: 37_035n }],
      sno: 'usn_income',
    };
    expect(draftFromJson(JSON.parse(JSON.stringify(draftToJson(draft))))).toEqual(draft);
  });

  it('refuses a damaged one with a reason', () => {
    expect(draftFromJson({ items: [{ name: 'x' }] })).toBeInstanceOf(Error);
  });
});

describe("ATOL's answers", () => {
  it('take error 33 with a uuid as success, and 33 without one as no answer', () => {
    const duplicate = { uuid: 'u-1', status: 'wait', error: { code: 33, text: 'exists', type: 'system' } };
    expect(interpretRegistration(400, duplicate)).toEqual({
      outcome: 'accepted',
      uuid: 'u-1',
      isRepeat: true,
    });
    expect(() => interpretRegistration(400, { ...duplicate, uuid: null })).toThrow(/33 without/);
  });

  it('read the body whatever the status, and a non-JSON answer as no answer', () => {
    expect(
      interpretRegistration(200, { status: 'fail', error: { code: 32, text: 'bad', type: 'system' } }),
    ).toMatchObject({
      outcome: 'rejected',
    });
    expect(() => interpretRegistration(502, undefined)).toThrow(/no JSON/);
  });

  it('take a report with error 34 as wait, a queue timeout as fail, a system 30 as no answer', () => {
    expect(interpretReport(200, { status: 'wait', error: { code: 34, text: '', type: 'system' } })).toEqual({
      status: 'wait',
    });
    expect(
      interpretReport(200, { status: 'fail', error: { code: 1, text: 'timeout', type: 'timeout' } }),
    ).toMatchObject({
      status: 'fail',
    });
    expect(() =>
      interpretReport(400, { status: 'fail', error: { code: 30, text: 'no uuid', type: 'system' } }),
    ).toThrow();
    expect(() => interpretReport(200, { status: 'done', payload: { total: 1 } })).toThrow(/fiscal data/);
  });
});

describe("Robokassa's Receipt, read once at the payment's start", () => {
  const buyer = { email: 'buyer@example.ru' };
  function read(receipt: unknown, outSumMinor: bigint) {
    const parsed = parseReceipt(JSON.stringify(receipt), outSumMinor);
    if (!parsed.ok) throw new Error(parsed.error.detail.en);
    return parsed.receipt;
  }

  it('becomes a draft with its items, tax system and the buyer e-mail', () => {
    const receipt = read(
      {
        sno: 'usn_income',
        items: [
          {
            name: 'Кофе',
            quantity: 2,
            sum: 1000,
            tax: 'vat20',
            payment_method: 'full_payment',
            payment_object: 'commodity',
          },
          { name: 'Доставка', quantity: 1, sum: 490, tax: 'none', payment_object: 'service' },
        ],
      },
      149_000n,
    );
    const draft = draftFromReceipt(receipt, buyer);
    expect(draft.sno).toBe('usn_income');
    expect(draft.client).toEqual({ email: 'buyer@example.ru' });
    expect(draft.items[0]).toMatchObject({
      priceMinor: 50_000n,
      quantityThousandths: 2_000n,
      sumMinor: 100_000n,
      vat: 'vat20',
      paymentMethod: 'full_payment',
    });
    expect(draft.items[1]).toMatchObject({ paymentMethod: 'full_prepayment', paymentObject: 'service' });
    expect(findDraftProblems(draft, 149_000n)).toEqual([]);
  });

  it('survives the round trip through the payment row (receiptToStoredJson)', () => {
    const receipt = read(
      { items: [{ name: 'Чай', quantity: '1.5', cost: '3.33', tax: 'vat10', payment_object: 'composite' }] },
      500n,
    );
    const stored = receiptFromStoredJson(JSON.parse(receiptToStoredJson(receipt)));
    expect(stored).toEqual(receipt);
    // composite left FFD in 1.05: it goes to the register as "another".
    expect(draftFromReceipt(stored!).items[0]).toMatchObject({ paymentObject: 'another', sumMinor: 500n });
  });

  it('reads the Refund API InvoiceItems (PascalCase, Cost is the unit price)', () => {
    const parsed = parseReceiptItemList([{ Name: 'Кофе', Quantity: 3, Cost: 33.33, Tax: 'vat10' }], 'pascal');
    if (!parsed.ok) throw new Error(parsed.message.en);
    expect(draftFromReceipt(parsed.receipt).items[0]).toMatchObject({ priceMinor: 3_333n, sumMinor: 9_999n });
  });

  it('splits a line whose unit price is not whole kopecks, keeping its sum', () => {
    const receipt = read({ items: [{ name: 'x', quantity: 3, sum: 100, tax: 'none' }] }, 10_000n);
    const draft = draftFromReceipt(receipt);
    expect(draft.items).toEqual([
      expect.objectContaining({
        name: 'x',
        priceMinor: 3_333n,
        quantityThousandths: 2_000n,
        sumMinor: 6_666n,
      }),
      expect.objectContaining({
        name: 'x',
        priceMinor: 3_334n,
        quantityThousandths: 1_000n,
        sumMinor: 3_334n,
      }),
    ]);
    expect(findDraftProblems(draft, 10_000n)).toEqual([]);
  });

  it('property: every receipt the parser accepts makes a draft the register accepts', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            quantityThousandths: fc.integer({ min: 1, max: 99_999_999 }),
            sumMinor: fc.integer({ min: 1, max: 4_294_967_295 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (lines) => {
          const items = lines.map((line, index) => ({
            name: `Позиция ${index}`,
            quantity: (line.quantityThousandths / 1000).toFixed(3),
            sum: (line.sumMinor / 100).toFixed(2),
            tax: 'none',
          }));
          const total = lines.reduce((sum, line) => sum + BigInt(line.sumMinor), 0n);
          const parsed = parseReceipt(JSON.stringify({ items }), total);
          if (!parsed.ok) return; // a price beyond the register's limit is refused at the start
          expect(findDraftProblems(draftFromReceipt(parsed.receipt), total)).toEqual([]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('without a Receipt is the free sale for the whole amount; a refund without items is one line', () => {
    expect(freeSaleDraft(149_000n, buyer)).toEqual({
      items: [expect.objectContaining({ name: 'Свободная продажа', sumMinor: 149_000n, vat: 'none' })],
      client: { email: 'buyer@example.ru' },
    });
    expect(freeSaleDraft(10n ** 12n)).toMatchObject({ en: expect.stringContaining('does not fit') });
    const refund = fallbackDraft({ description: 'Заказ 42', amountMinor: 500n });
    expect(refund.items).toEqual([expect.objectContaining({ name: 'Заказ 42', sumMinor: 500n })]);
  });
});
