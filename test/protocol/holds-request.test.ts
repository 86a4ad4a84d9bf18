/** Hold requests (Confirm / Cancel) and the ResultUrl2 payload: parsing, signatures, answers. Pure. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildHoldActionBaseStrings,
  buildResult2Payload,
  HOLD_ACTION_ANSWER,
  parseHoldActionRequest,
  verifyHoldActionSignature,
  type HoldActionRequest,
} from '../../src/modules/protocol/index.js';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function parsed(fields: Record<string, unknown>, action: 'confirm' | 'cancel'): HoldActionRequest {
  const result = parseHoldActionRequest(fields, action);
  if (!result.ok) throw new Error(`refused: ${result.problem}`);
  return result.request;
}

describe('parsing', () => {
  it('reads Confirm fields by any letter case and the legacy names', () => {
    expect(
      parsed(
        { mrchlogin: 'demo', InvId: '0042', outsum: '100.50', Receipt: 'R', signaturevalue: 'AB' },
        'confirm',
      ),
    ).toEqual({
      action: 'confirm',
      merchantLogin: 'demo',
      invoiceIdText: '0042',
      invoiceId: 42n,
      outSumText: '100.50',
      outSumMinor: 10050n,
      receipt: 'R',
      signatureValue: 'AB',
    });
  });

  it('lets Cancel go without OutSum and ignores a Receipt there', () => {
    const request = parsed(
      { MerchantLogin: 'demo', InvoiceID: '7', Receipt: 'R', SignatureValue: 'x' },
      'cancel',
    );
    expect(request).toMatchObject({ invoiceId: 7n, outSumText: undefined, receipt: undefined });
  });

  it.each([
    [{ InvoiceID: '1', OutSum: '1', SignatureValue: 'x' }, 'merchant_login_missing'],
    [{ MerchantLogin: 'demo', OutSum: '1', SignatureValue: 'x' }, 'invoice_id_invalid'],
    [{ MerchantLogin: 'demo', InvoiceID: '0', OutSum: '1', SignatureValue: 'x' }, 'invoice_id_invalid'],
    [{ MerchantLogin: 'demo', InvoiceID: '-1', OutSum: '1', SignatureValue: 'x' }, 'invoice_id_invalid'],
    [
      { MerchantLogin: 'demo', InvoiceID: '9223372036854775808', OutSum: '1', SignatureValue: 'x' },
      'invoice_id_invalid',
    ],
    [{ MerchantLogin: 'demo', InvoiceID: '1', SignatureValue: 'x' }, 'out_sum_invalid'],
    [{ MerchantLogin: 'demo', InvoiceID: '1', OutSum: '0.00', SignatureValue: 'x' }, 'out_sum_invalid'],
    [{ MerchantLogin: 'demo', InvoiceID: '1', OutSum: '1,5', SignatureValue: 'x' }, 'out_sum_invalid'],
    [{ MerchantLogin: 'demo', InvoiceID: '1', OutSum: '1' }, 'signature_missing'],
    [
      { MerchantLogin: 'demo', invoiceid: '1', InvoiceID: '2', OutSum: '1', SignatureValue: 'x' },
      'field_repeated',
    ],
  ])('refuses a Confirm of %j as %s', (fields, problem) => {
    expect(parseHoldActionRequest(fields, 'confirm')).toEqual({ ok: false, problem });
  });
});

describe('signatures', () => {
  const confirm = (extra: Record<string, string> = {}) =>
    parsed(
      { MerchantLogin: 'demo', InvoiceID: '123', OutSum: '100.00', SignatureValue: 'x', ...extra },
      'confirm',
    );

  it('builds the SDK base strings: Confirm with and without Receipt, Cancel with the OutSum slot empty', () => {
    expect(buildHoldActionBaseStrings(confirm(), 'demo', 'pw1')).toEqual(['demo:100.00:123:pw1']);
    expect(buildHoldActionBaseStrings(confirm({ Receipt: '%7B%7D' }), 'demo', 'pw1')[0]).toBe(
      'demo:100.00:123:%7B%7D:pw1',
    );
    const cancel = parsed({ MerchantLogin: 'demo', InvoiceID: '123', SignatureValue: 'x' }, 'cancel');
    expect(buildHoldActionBaseStrings(cancel, 'demo', 'pw1')).toEqual(['demo::123:pw1']);
  });

  it('verifies Confirm signed as the official SDK signs it, in any hex case and with the shop algorithm', () => {
    const request = { ...confirm(), signatureValue: md5('demo:100.00:123:pw1').toUpperCase() };
    expect(verifyHoldActionSignature(request, 'demo', 'pw1', 'MD5')).toBe(true);
    expect(verifyHoldActionSignature(request, 'demo', 'pw2', 'MD5')).toBe(false);
    const sha = { ...confirm(), signatureValue: sha256('demo:100.00:123:pw1') };
    expect(verifyHoldActionSignature(sha, 'demo', 'pw1', 'SHA256')).toBe(true);
    expect(verifyHoldActionSignature(sha, 'demo', 'pw1', 'MD5')).toBe(false);
  });

  it('accepts a Receipt signed as received (the SDK), raw JSON, or form-encoded', () => {
    const json = '{"items":[{"name":"Номер 1","sum":200}]}';
    const encoded = encodeURIComponent(json);
    const asSdk = { ...confirm({ Receipt: encoded }), signatureValue: md5(`demo:100.00:123:${encoded}:pw1`) };
    const asRaw = { ...confirm({ Receipt: encoded }), signatureValue: md5(`demo:100.00:123:${json}:pw1`) };
    const sentRaw = { ...confirm({ Receipt: json }), signatureValue: md5(`demo:100.00:123:${encoded}:pw1`) };
    for (const request of [asSdk, asRaw, sentRaw]) {
      expect(verifyHoldActionSignature(request, 'demo', 'pw1', 'MD5')).toBe(true);
    }
    const withoutReceipt = { ...confirm({ Receipt: encoded }), signatureValue: md5('demo:100.00:123:pw1') };
    expect(verifyHoldActionSignature(withoutReceipt, 'demo', 'pw1', 'MD5')).toBe(false);
  });

  it('accepts the login as stored or as received, and a Cancel that signs the OutSum it sends', () => {
    const request = { ...confirm({ MerchantLogin: 'DEMO' }), signatureValue: md5('DEMO:100.00:123:pw1') };
    expect(verifyHoldActionSignature(request, 'demo', 'pw1', 'MD5')).toBe(true);
    const cancelFields = { MerchantLogin: 'demo', InvoiceID: '123', OutSum: '5.00' };
    const documented = parsed({ ...cancelFields, SignatureValue: md5('demo::123:pw1') }, 'cancel');
    const withSum = parsed({ ...cancelFields, SignatureValue: md5('demo:5.00:123:pw1') }, 'cancel');
    expect(verifyHoldActionSignature(documented, 'demo', 'pw1', 'MD5')).toBe(true);
    expect(verifyHoldActionSignature(withSum, 'demo', 'pw1', 'MD5')).toBe(true);
  });

  it('never verifies a Confirm whose OutSum or InvoiceID differs from the signed one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.string({ minLength: 1, maxLength: 20 }).filter((text) => !text.includes(':')),
        (signedCents, sentCents, invoiceId, password) => {
          const text = (cents: number) =>
            `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
          const request = parsed(
            {
              MerchantLogin: 'demo',
              InvoiceID: String(invoiceId),
              OutSum: text(sentCents),
              SignatureValue: md5(`demo:${text(signedCents)}:${invoiceId}:${password}`),
            },
            'confirm',
          );
          expect(verifyHoldActionSignature(request, 'demo', password, 'MD5')).toBe(signedCents === sentCents);
        },
      ),
    );
  });
});

describe('answers and the ResultUrl2 payload', () => {
  it('answers the JSON strings the official SDK parses', () => {
    expect(JSON.parse(HOLD_ACTION_ANSWER.success)).toBe('success: true');
    expect(JSON.parse(HOLD_ACTION_ANSWER.failure)).toBe('success: false');
  });

  it("builds Robokassa's PaymentStateNotification with strings only and whole Unix seconds", () => {
    const payload = buildResult2Payload({
      shop: 'robokassa',
      opKey: 'op_1',
      invId: '1234829',
      paymentMethod: 'BankCard',
      incSum: '10.00',
      state: 'HOLD',
      at: new Date('2023-08-04T21:00:12.999Z'),
    });
    expect(JSON.stringify(payload)).toBe(
      '{"header":{"type":"PaymentStateNotification","version":"1.0.0","timestamp":"1691182812"},' +
        '"data":{"shop":"robokassa","opKey":"op_1","invId":"1234829","paymentMethod":"BankCard","incSum":"10.00","state":"HOLD"}}',
    );
  });
});
