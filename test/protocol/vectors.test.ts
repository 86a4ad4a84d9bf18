/**
 * Test vectors of the reference's §15 (V3, the second receipt, belongs to the fiscal module). Each
 * vector's base string must come out of the candidate builder, so verifyInitSignature accepts its
 * digest; the result-side vectors go through signResult.
 */
import { describe, expect, it } from 'vitest';
import {
  buildInitBaseString,
  buildOpStateBaseString,
  buildResultBaseString,
  hashHex,
  parseInitRequest,
  signResult,
  verifyInitSignature,
  verifyOpStateSignature,
  type InitSignatureParams,
  type RequestFields,
} from '../../src/modules/protocol/index.js';

function params(overrides: Partial<InitSignatureParams>): InitSignatureParams {
  return { merchantLogin: 'robo-demo', outSum: '10.00', invId: '', shp: [], ...overrides };
}

/** Parses fields as the payment page would, then checks the signature they carry. */
function verifyFields(fields: RequestFields, password1: string) {
  const parsed = parseInitRequest(fields);
  if (!parsed.ok) throw new Error(`rejected: ${JSON.stringify(parsed.error)}`);
  return verifyInitSignature(parsed.request.signatureParams, password1, 'MD5', parsed.request.signatureValue);
}

const V7_RECEIPT =
  '{"items":[{"sum":"100.00","name":"Название товара 1","quantity":1,"tax":"vat10","payment_method":"full_payment","payment_object":"commodity"},{"sum":"450.00","name":"Название товара 2","quantity":3,"tax":"vat120","payment_method":"full_payment","payment_object":"excise","nomenclature_code":"04620034587217"}],"sno":"osn"}';

const V11_RECEIPT =
  '%7B%22items%22%3A%5B%7B%22name%22%3A%22product%22%2C%22quantity%22%3A1%2C%22sum%22%3A8.96%2C%22tax%22%3A%22none%22%7D%5D%7D';

describe('§15.1 documentation base strings', () => {
  it('V1: a URL modifier is signed URL-encoded in the documented form', () => {
    const v1 = params({
      merchantLogin: 'robokassa',
      outSum: '10',
      invId: '1234829',
      resultUrl2: 'https://test.test/robokassa',
    });
    const expected = 'robokassa:10:1234829:https%3A%2F%2Ftest.test%2Frobokassa:password1';
    expect(buildInitBaseString(v1, 'password1')).toBe(expected);
    expect(verifyInitSignature(v1, 'password1', 'MD5', hashHex('MD5', expected))).toMatchObject({
      isValid: true,
      matchedLabel: 'documented order, URLs encodeURIComponent-encoded',
    });
  });

  it('V2: no InvId, Receipt as received, SuccessUrl2/FailUrl2 encoded with their methods', () => {
    const v2 = params({
      outSum: '1',
      receipt: '%7B%22items%22…%7D',
      successUrl2: 'https://robokassa.com/',
      successUrl2Method: 'GET',
      failUrl2: 'https://www.google.com/',
      failUrl2Method: 'GET',
    });
    const expected =
      'robo-demo:1::%7B%22items%22…%7D:https%3A%2F%2Frobokassa.com%2F:GET:https%3A%2F%2Fwww.google.com%2F:GET:password1';
    expect(buildInitBaseString(v2, 'password1')).toBe(expected);
    expect(verifyInitSignature(v2, 'password1', 'MD5', hashHex('MD5', expected)).isValid).toBe(true);
  });
});

describe('§15.2 library vectors through the candidate builder', () => {
  it('V4: lower-case shp_ names, sorted, received in the other order', () => {
    expect(hashHex('MD5', 'robo-demo:10.00:1:password#1:shp_email=user@example.com:shp_user_id=1')).toBe(
      'b98027823a17ee5be83c767f18315400',
    );
    const fields = {
      MerchantLogin: 'robo-demo',
      OutSum: '10.00',
      InvId: '1',
      shp_user_id: '1',
      shp_email: 'user@example.com',
      SignatureValue: 'b98027823a17ee5be83c767f18315400',
    };
    expect(verifyFields(fields, 'password#1')).toMatchObject({
      isValid: true,
      matchedLabel: 'documented order, Shp ordinal',
    });
  });

  it('V5: the plain form', () => {
    const fields = {
      MerchantLogin: 'robo-demo',
      OutSum: '100.00',
      InvId: '1',
      SignatureValue: '8ca1d1c1a6f9353bebe5b087697ba797',
    };
    expect(verifyFields(fields, 'password_1')).toMatchObject({
      isValid: true,
      matchedLabel: 'documented order',
    });
  });

  it('V6: no InvId, with OutSumCurrency and UserIp', () => {
    const fields = {
      MerchantLogin: 'robo-demo',
      OutSum: '10.00',
      OutSumCurrency: 'USD',
      UserIp: '127.0.0.1',
      SignatureValue: '9113fcc7a218deb0b5bc1c9c8e28c513',
    };
    const check = verifyFields(fields, 'password#1');
    expect(check).toMatchObject({ isValid: true, matchedLabel: 'documented order' });
    expect(check.candidates[0]?.baseString).toBe('robo-demo:10.00::USD:127.0.0.1:password#1');
  });

  it('V7: raw JSON Receipt, received raw (sent encoded once in a GET link)', () => {
    const fields = {
      MerchantLogin: 'robo-demo',
      OutSum: '100.00',
      InvId: '999',
      Receipt: V7_RECEIPT,
      SignatureValue: '85a14f26ea37f92bef294e8d19d1a141',
    };
    expect(verifyFields(fields, 'password#1')).toMatchObject({
      isValid: true,
      matchedLabel: 'documented order, Receipt as received',
    });
  });

  it('V7: raw JSON Receipt signed but posted URL-encoded: matched by decoding once', () => {
    const fields = {
      MerchantLogin: 'robo-demo',
      OutSum: '100.00',
      InvId: '999',
      Receipt: encodeURIComponent(V7_RECEIPT),
      SignatureValue: '85a14f26ea37f92bef294e8d19d1a141',
    };
    expect(verifyFields(fields, 'password#1')).toMatchObject({
      isValid: true,
      matchedLabel: 'documented order, Receipt decoded once',
    });
  });

  it('V8: Result signatures with Password #2, MD5 and SHA-256, upper-case', () => {
    expect(signResult('MD5', '10', '1', 'password#2', [])).toBe('F38A17BC0DB36343789587E4E5ABF33C');
    expect(signResult('SHA256', '10', '1', 'password#2', [])).toBe(
      '6229bb8aa8f4e431fc43022f2847ae3296a9d7fe649b97cb65755abc90d15f0c'.toUpperCase(),
    );
    expect(buildResultBaseString('10', '', 'password#2', [])).toBe('10::password#2');
    expect(signResult('MD5', '10', '', 'password#2', [])).toBe('56AAD7334A473638781B4946998C113E');
    const shp = [
      ['shp_user_id', '1'],
      ['shp_email', 'user@example.com'],
    ] as const;
    expect(buildResultBaseString('10', '1', 'password#2', shp)).toBe(
      '10:1:password#2:shp_email=user@example.com:shp_user_id=1',
    );
    expect(signResult('MD5', '10', '1', 'password#2', shp)).toBe('9C4B932169D6B683E2B76E31BAE35AEB');
  });

  it('V9: SMS digests (the hash itself; the SMS API is not this module)', () => {
    expect(hashHex('MD5', 'demo_merchant:89991234567:All work fine!:Password#1')).toBe(
      'a6243e85f7cf7ca3627aa1f506619ef3',
    );
    expect(hashHex('MD5', 'robo-demo:70001234567:message text:password#1')).toBe(
      '745a08955b089f7d4a64a24e6ba37611',
    );
  });

  it('V10: payment start with Shp_ and the OpStateExt signature', () => {
    const fields = {
      MerchantLogin: 'demo',
      OutSum: '99.90',
      InvId: '1001',
      Shp_item: 'digital',
      SignatureValue: '6f3ff72da89c99859c09fac8b1b61cb5',
    };
    expect(verifyFields(fields, 'secret1').isValid).toBe(true);
    expect(buildOpStateBaseString('demo', '1001', 'secret2')).toBe('demo:1001:secret2');
    expect(verifyOpStateSignature('MD5', 'demo', '1001', 'secret2', '1d0bb6fc90e81942e833f9fb4bdf0751')).toBe(
      true,
    );
    expect(verifyOpStateSignature('MD5', 'demo', '1001', 'secret2', '1D0BB6FC90E81942E833F9FB4BDF0751')).toBe(
      true,
    );
    expect(verifyOpStateSignature('MD5', 'demo', '1002', 'secret2', '1d0bb6fc90e81942e833f9fb4bdf0751')).toBe(
      false,
    );
  });

  it('V11: Receipt as received (encoded), URLs signed raw', () => {
    const fields = {
      MerchantLogin: 'demo',
      OutSum: '8.96',
      InvId: '12345',
      Receipt: V11_RECEIPT,
      SuccessUrl2: 'https://example.com/success',
      SuccessUrl2Method: 'POST',
      FailUrl2: 'https://example.com/fail',
      FailUrl2Method: 'GET',
      Shp_item: 'digital',
      SignatureValue: '4ec77aca3fd8a369fdaff8c2975daa94',
    };
    const check = verifyFields(fields, 'secret1');
    expect(check).toMatchObject({
      isValid: true,
      matchedLabel: 'documented order, Receipt as received, URLs raw, Shp ordinal',
    });
    expect(check.candidates.map((candidate) => candidate.baseString)).toContain(
      `demo:8.96:12345:${V11_RECEIPT}:https://example.com/success:POST:https://example.com/fail:GET:secret1:Shp_item=digital`,
    );
  });

  it('V12: OutSumCurrency with Shp values holding spaces; the plain form; a Result', () => {
    const withCurrency = (outSum: string, invId: string, shp: Record<string, string>, signature: string) => ({
      MerchantLogin: 'login',
      OutSum: outSum,
      InvId: invId,
      OutSumCurrency: 'USD',
      ...shp,
      SignatureValue: signature,
    });
    const first = withCurrency(
      '123.00',
      '6544321',
      { Shp_surname: 'Smith', Shp_name: 'John' },
      '864798f31e43ac88bea969e54608a54a',
    );
    const second = withCurrency(
      '150.00',
      '53',
      { Shp_foo: 'foo value', Shp_bar: 'bar value' },
      '36a95458024a31d5e8db246f384527d8',
    );
    expect(verifyFields(first, 'pass1').isValid).toBe(true);
    expect(verifyFields(second, 'pass1').isValid).toBe(true);
    const plain = {
      MerchantLogin: 'login',
      OutSum: '150.00',
      InvId: '53',
      SignatureValue: '19ee5a0d0764f0005f68de9919db53d3',
    };
    expect(verifyFields(plain, 'pass1').isValid).toBe(true);
    expect(signResult('MD5', '150', '123', 'pass2', [])).toBe('0109EA77984A645BF105F563ABEE3FE2');
  });

  it('V13: the legacy lower-case `shp` prefix without underscore, upper-case digests', () => {
    const fields = {
      MerchantLogin: 'test_login',
      OutSum: '100.0',
      InvId: '58',
      shpparam1: 'None',
      shpparam2: 'None',
      SignatureValue: '0EC23BE40003640B35EC07F6615FFB57',
    };
    expect(verifyFields(fields, 'test_password')).toMatchObject({ isValid: true });
    const resultShp = [
      ['shpparam2', 'None'],
      ['shpparam1', 'Vasia'],
    ] as const;
    expect(signResult('MD5', '100', '58', 'test_password2', resultShp)).toBe(
      'B2111A06F6B7A1E090D38367BF7032D9',
    );
  });
});
