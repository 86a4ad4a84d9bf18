/**
 * RoboFiscal requests (Receipt/Attach, Receipt/Status): the envelope and its signature
 * (src/modules/protocol/receipt-attach.ts) with the reference's vector V3, and the payloads' meaning
 * (parseSecondReceipt, parseReceiptStatusPayload in receipt.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildReceiptAttachAnswer,
  buildReceiptStatusAnswer,
  buildRoboFiscalSignature,
  HASH_ALGORITHMS,
  parseReceiptStatusPayload,
  parseRoboFiscalRequest,
  parseSecondReceipt,
  ROBOFISCAL_RESULT_CODE,
  signRoboFiscalPayload,
  verifyRoboFiscalSignature,
  type RoboFiscalRequest,
} from '../../src/modules/protocol/index.js';

/** Reference §15.1 V3: the docs' second receipt, password `robokassatest`, MD5. */
const V3_PAYLOAD =
  'eyJtZXJjaGFudElkIjogInJvYm9rYXNzYV9zZWxsIiwiaWQiOiAiMTQiLCJvcmlnaW5JZCI6ICIxMyIsIm9wZXJhdGlvbiI6ICJzZWxsIiwKInNubyI6ICJvc24iLCJ1cmwiOiAiaHR0cHM6Ly93d3cucm9ib2thc3NhLnJ1LyIsInRvdGFsIjogMTAwLCJpdGVtcyI6IFt7Im5hbWUiOiAi0KLQvtCy0LDRgCIsInF1YW50aXR5IjogMSwic3VtIjogMTAwLCJ0YXgiOiAibm9uZSIsInBheW1lbnRfbWV0aG9kIjogImZ1bGxfcGF5bWVudCIsInBheW1lbnRfb2JqZWN0IjogImNvbW1vZGl0eSJ9XSwiY2xpZW50IjogeyJlbWFpbCI6ICJ0ZXN0QHRlc3QucnUiLCJwaG9uZSI6ICI3MTIzNDU2Nzg5MCJ9LCJwYXltZW50cyI6IFt7InR5cGUiOiAyLCJzdW0iOiAxMDB9XSwidmF0cyI6IFt7InR5cGUiOiAibm9uZSIsInN1bSI6IDB9XX0';
const V3_SIGNATURE = 'MzAwMTU4NjIwMTE0M2RhNDIzMjg5NmM0NDI0NGJkYmI';
const V3_BODY = `${V3_PAYLOAD}.${V3_SIGNATURE}`;
const V3_PASSWORD = 'robokassatest';

function parsed(body: unknown): RoboFiscalRequest {
  const result = parseRoboFiscalRequest(body);
  if (!result.ok) throw new Error(`unexpected rejection: ${result.problem}`);
  return result.request;
}

describe('RoboFiscal envelope: vector V3', () => {
  it('decodes the payload and finds merchantId', () => {
    const request = parsed(V3_BODY);
    expect(request.merchantId).toBe('robokassa_sell');
    expect(request.payloadSegment).toBe(V3_PAYLOAD);
    expect(request.payloadText.startsWith('{"merchantId": "robokassa_sell","id": "14"')).toBe(true);
    expect(request.payloadText).toContain(',"operation": "sell",\n"sno": "osn"');
    expect(request.payload).toMatchObject({ id: '14', originId: '13', total: 100, operation: 'sell' });
  });

  it('verifies with Password #1 over the base64 text as sent', () => {
    expect(verifyRoboFiscalSignature(parsed(V3_BODY), V3_PASSWORD, 'MD5')).toBe(true);
    expect(buildRoboFiscalSignature(V3_PAYLOAD, V3_PASSWORD, 'MD5')).toBe(V3_SIGNATURE);
    expect(Buffer.from(V3_SIGNATURE, 'base64url').toString()).toBe('3001586201143da4232896c44244bdbb');
  });

  it('is rebuilt byte for byte from the JSON text', () => {
    const request = parsed(V3_BODY);
    expect(signRoboFiscalPayload(request.payloadText, V3_PASSWORD, 'MD5')).toBe(V3_BODY);
  });

  it('fails with another password, another algorithm or a changed payload', () => {
    expect(verifyRoboFiscalSignature(parsed(V3_BODY), 'robokassatest2', 'MD5')).toBe(false);
    expect(verifyRoboFiscalSignature(parsed(V3_BODY), V3_PASSWORD, 'SHA256')).toBe(false);
    const request = parsed(V3_BODY);
    const reencoded = Buffer.from(JSON.stringify(JSON.parse(request.payloadText))).toString('base64url');
    expect(verifyRoboFiscalSignature(parsed(`${reencoded}.${V3_SIGNATURE}`), V3_PASSWORD, 'MD5')).toBe(false);
  });

  it('accepts the hex digest in upper case, padding, and a JSON string literal body', () => {
    const upper = Buffer.from('3001586201143DA4232896C44244BDBB').toString('base64');
    expect(verifyRoboFiscalSignature(parsed(`${V3_PAYLOAD}.${upper}`), V3_PASSWORD, 'MD5')).toBe(true);
    expect(verifyRoboFiscalSignature(parsed(`${V3_PAYLOAD}.${V3_SIGNATURE}=`), V3_PASSWORD, 'MD5')).toBe(
      true,
    );
    expect(parsed(JSON.stringify(V3_BODY)).merchantId).toBe('robokassa_sell');
    expect(parsed(`  ${V3_BODY}\n`).merchantId).toBe('robokassa_sell');
  });

  it('accepts the standard base64 alphabet (igor-netFantom/robokassa-api)', () => {
    const json = '{"merchantId":"shop","id":"1?>","note":"ÿÿ"}';
    const body = signRoboFiscalPayload(json, 'secret', 'SHA256', 'base64');
    expect(body).toMatch(/[+/]/);
    const request = parsed(body);
    expect(request.payloadText).toBe(json);
    expect(verifyRoboFiscalSignature(request, 'secret', 'SHA256')).toBe(true);
  });
});

describe('RoboFiscal envelope: malformed bodies', () => {
  const sign = (json: string) => signRoboFiscalPayload(json, 'p', 'MD5');
  it.each([
    ['not a string', { body: V3_BODY }, 'body_malformed'],
    ['empty', '   ', 'body_empty'],
    ['a broken JSON string literal', '"eyJ', 'body_malformed'],
    ['one segment', V3_PAYLOAD, 'body_malformed'],
    ['three segments', `${V3_BODY}.x`, 'body_malformed'],
    ['an empty signature', `${V3_PAYLOAD}.`, 'body_malformed'],
    ['characters outside base64', `${V3_PAYLOAD}.abc$`, 'body_malformed'],
    ['an impossible base64 length', `${V3_PAYLOAD}.abcde`, 'body_malformed'],
    [
      'a payload that is not UTF-8',
      `${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${V3_SIGNATURE}`,
      'payload_not_json',
    ],
    ['a payload that is not JSON', sign('merchantId=shop'), 'payload_not_json'],
    ['a JSON array payload', sign('[{"merchantId":"shop"}]'), 'payload_not_object'],
    ['no merchantId', sign('{"id":1}'), 'merchant_id_missing'],
    ['a numeric merchantId', sign('{"merchantId":5}'), 'merchant_id_missing'],
    ['a blank merchantId', sign('{"merchantId":" "}'), 'merchant_id_missing'],
    ['more than 1 MiB', 'a'.repeat(1_048_577), 'body_too_long'],
  ] as const)('%s', (_label, body, problem) => {
    expect(parseRoboFiscalRequest(body)).toEqual({ ok: false, problem });
  });

  it('never verifies a signature segment that is not a hex digest', () => {
    const request = parsed(V3_BODY);
    const notHex = Buffer.from('not a digest at all, not at all').toString('base64url');
    expect(verifyRoboFiscalSignature({ ...request, signatureSegment: notHex }, V3_PASSWORD, 'MD5')).toBe(
      false,
    );
    expect(verifyRoboFiscalSignature({ ...request, signatureSegment: '$$' }, V3_PASSWORD, 'MD5')).toBe(false);
  });
});

describe('RoboFiscal envelope: properties', () => {
  const jsonObject = fc
    .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
    .map((object) => ({ ...object, merchantId: 'shop' }));

  it('what signRoboFiscalPayload signs verifies, in either alphabet and with every algorithm', () => {
    fc.assert(
      fc.property(
        jsonObject,
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.constantFrom(...HASH_ALGORITHMS),
        fc.constantFrom('base64url' as const, 'base64' as const),
        (object, password, algorithm, alphabet) => {
          const json = JSON.stringify(object);
          const request = parsed(signRoboFiscalPayload(json, password, algorithm, alphabet));
          expect(request.payloadText).toBe(json);
          expect(request.merchantId).toBe('shop');
          expect(verifyRoboFiscalSignature(request, password, algorithm)).toBe(true);
          expect(verifyRoboFiscalSignature(request, password + 'x', algorithm)).toBe(false);
        },
      ),
    );
  });
});

describe('parseSecondReceipt', () => {
  it('reads V3 exactly', () => {
    const result = parseSecondReceipt(parsed(V3_BODY).payloadText);
    expect(result).toEqual({
      ok: true,
      secondReceipt: {
        merchantId: 'robokassa_sell',
        id: 14n,
        originId: 13n,
        operation: 'sell',
        sno: 'osn',
        url: 'https://www.robokassa.ru/',
        totalMinor: 10_000n,
        items: [
          {
            name: 'Товар',
            quantity: '1',
            quantityThousandths: 1000n,
            priceMinor: 10_000n,
            sumMinor: 10_000n,
            hasExactPrice: true,
            tax: 'none',
            paymentMethod: 'full_payment',
            paymentObject: 'commodity',
          },
        ],
        client: { email: 'test@test.ru', phone: '71234567890' },
        payments: [{ type: 2, sumMinor: 10_000n }],
        vats: [{ type: 'none', sumMinor: 0n }],
      },
    });
  });

  const valid = {
    merchantId: 'shop',
    id: 9_223_372_036_854_775_807n,
    originId: 42,
    operation: 'sell',
    total: 150.5,
    items: [{ name: 'Товар', quantity: 1, sum: 150.5, tax: 'vat20', payment_method: 'full_payment' }],
    payments: [
      { type: 2, sum: 100 },
      { type: 1, sum: 50.5 },
    ],
  };
  const json = (value: Record<string, unknown>) =>
    JSON.stringify(value, (_key, entry: unknown) =>
      typeof entry === 'bigint' ? `@big:${entry}` : entry,
    ).replace(/"@big:(\d+)"/g, '$1');

  it('keeps an id of 2^63 − 1 exact and accepts extra payments of another type', () => {
    const result = parseSecondReceipt(json(valid));
    expect(result).toMatchObject({
      ok: true,
      secondReceipt: { id: 9_223_372_036_854_775_807n, originId: 42n, totalMinor: 15_050n },
    });
  });

  it.each([
    ['id equal to originId', { originId: '9223372036854775807' }, 'id_equals_origin', 'id'],
    ['id of 2^63', { id: 9_223_372_036_854_775_808n }, 'integer_invalid', 'id'],
    ['id zero', { id: 0 }, 'integer_invalid', 'id'],
    ['id fractional', { id: 1.5 }, 'integer_invalid', 'id'],
    ['originId missing', { originId: undefined }, 'value_missing', 'originId'],
    ['merchantId missing', { merchantId: undefined }, 'value_missing', 'merchantId'],
    ['operation not sell', { operation: 'sell_refund' }, 'enum_invalid', 'operation'],
    ['total missing', { total: undefined }, 'value_missing', 'total'],
    ['total with 3 decimals', { total: 150.505 }, 'amount_precision', 'total'],
    ['payments missing', { payments: undefined }, 'value_missing', 'payments'],
    ['payments empty', { payments: [] }, 'count_invalid', 'payments'],
    ['payments not an array', { payments: { type: 2, sum: 150.5 } }, 'value_not_array', 'payments'],
    ['eleven payments', { payments: Array(11).fill({ type: 2, sum: 0 }) }, 'count_invalid', 'payments'],
    ['seven vats', { vats: Array(7).fill({ type: 'none', sum: 0 }) }, 'count_invalid', 'vats'],
    ['a payment type of 10', { payments: [{ type: 10, sum: 150.5 }] }, 'integer_invalid', 'payments[1].type'],
    [
      'payments not adding up to total',
      { payments: [{ type: 2, sum: 150 }] },
      'payments_total_mismatch',
      'payments',
    ],
    ['vats with an unknown rate', { vats: [{ type: 'vat18', sum: 1 }] }, 'tax_retired', 'vats[1].type'],
    ['client not an object', { client: 'test@test.ru' }, 'value_not_object', 'client'],
    ['url not a string', { url: 5 }, 'value_not_string', 'url'],
    [
      'items not adding up to total',
      { total: 151, payments: [{ type: 2, sum: 151 }] },
      'items_total_mismatch',
      'items',
    ],
  ])('refuses %s', (_label, change, reason, field) => {
    const result = parseSecondReceipt(json({ ...valid, ...change }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ reason, field });
    expect(result.problems[0]?.item).toBeUndefined();
  });

  it('requires payment_method full_payment on every item, naming the item', () => {
    const items = [
      { name: 'Аванс', quantity: 1, sum: 150.5, tax: 'vat20', payment_method: 'full_prepayment' },
      { name: 'Без способа', quantity: 1, sum: 0, tax: 'vat20' },
    ];
    const result = parseSecondReceipt(json({ ...valid, items }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => [problem.item, problem.field, problem.reason])).toEqual([
      [{ index: 1, name: 'Аванс' }, 'payment_method', 'full_payment_required'],
      [{ index: 2, name: 'Без способа' }, 'payment_method', 'full_payment_required'],
    ]);
    expect(result.problems[0]?.detail.ru).toBe(
      'Позиция 1 «Аванс», поле payment_method: во втором чеке способ расчёта только full_payment.',
    );
  });

  it('refuses a payload that is not a JSON object', () => {
    expect(parseSecondReceipt('[]')).toMatchObject({
      ok: false,
      problems: [{ reason: 'receipt_not_object' }],
    });
    expect(parseSecondReceipt('{')).toMatchObject({ ok: false, problems: [{ reason: 'receipt_not_json' }] });
  });
});

describe('parseReceiptStatusPayload', () => {
  it('reads merchantId and id, as a number or a string', () => {
    expect(parseReceiptStatusPayload('{"merchantId":"shop","id":14}')).toEqual({
      ok: true,
      merchantId: 'shop',
      id: 14n,
    });
    expect(parseReceiptStatusPayload('{"merchantId": "shop", "id": "9223372036854775807"}')).toEqual({
      ok: true,
      merchantId: 'shop',
      id: 9_223_372_036_854_775_807n,
    });
  });

  it('refuses a missing or malformed id', () => {
    expect(parseReceiptStatusPayload('{"merchantId":"shop"}')).toMatchObject({
      ok: false,
      problems: [{ reason: 'value_missing', field: 'id' }],
    });
    expect(parseReceiptStatusPayload('{"merchantId":"shop","id":"14a"}')).toMatchObject({
      ok: false,
      problems: [{ reason: 'integer_invalid', field: 'id' }],
    });
    expect(parseReceiptStatusPayload('null')).toMatchObject({ ok: false });
  });
});

describe('answers', () => {
  it('Receipt/Attach: ResultCode, ResultDescription and OpKey when known', () => {
    expect(
      buildReceiptAttachAnswer({ resultCode: ROBOFISCAL_RESULT_CODE.ok, description: 'ok', opKey: 'op-1' }),
    ).toBe('{"ResultCode":"0","ResultDescription":"ok","OpKey":"op-1"}');
    expect(
      buildReceiptAttachAnswer({
        resultCode: ROBOFISCAL_RESULT_CODE.internalError,
        description: 'Merchant not found',
      }),
    ).toBe('{"ResultCode":"1000","ResultDescription":"Merchant not found"}');
  });

  it('Receipt/Status: every documented field, null while unknown', () => {
    expect(
      JSON.parse(buildReceiptStatusAnswer({ code: ROBOFISCAL_RESULT_CODE.waiting, description: 'wait' })),
    ).toEqual({
      Code: '1',
      Description: 'wait',
      FnNumber: null,
      FiscalDocumentNumber: null,
      FiscalDocumentAttribute: null,
      FiscalDate: null,
      FiscalType: null,
    });
    const done = buildReceiptStatusAnswer({
      code: ROBOFISCAL_RESULT_CODE.registered,
      description: 'ok',
      fnNumber: '9288000100014915',
      fiscalDocumentNumber: '108',
      fiscalDocumentAttribute: '3004144185',
      fiscalDate: '2018-05-22T12:28:00',
      fiscalType: 'sell',
    });
    expect(Object.keys(JSON.parse(done))).toEqual([
      'Code',
      'Description',
      'FnNumber',
      'FiscalDocumentNumber',
      'FiscalDocumentAttribute',
      'FiscalDate',
      'FiscalType',
    ]);
  });
});
