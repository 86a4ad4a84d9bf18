import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCalcOutSumResponse,
  buildCurrenciesResponse,
  buildOpStateResponse,
  buildPaymentMethodsResponse,
  buildRatesResponse,
  buildResultOnlyResponse,
  escapeXml,
  formatMoscowDateTime,
  XML_RESULT_CODE,
  type OperationState,
} from '../../src/modules/protocol/index.js';

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
const ROOT_ATTRIBUTES =
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://merchant.roboxchange.com/WebService/"';

/**
 * A deliberately small well-formedness check: one declaration, one root, balanced tags, quoted
 * attributes, and no '<' or bare '&' outside markup. Enough to catch a missed escape or a stray tag.
 */
function expectWellFormed(xml: string): void {
  expect(xml.startsWith(`${DECLARATION}\n`)).toBe(true);
  const body = xml.slice(DECLARATION.length + 1);
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const badAmpersand = /&(?!(?:amp|lt|gt|quot|apos|#x[0-9A-F]+);)/;
  const stack: string[] = [];
  let roots = 0;
  for (let index = 0; index < body.length; index = token.lastIndex) {
    token.lastIndex = index;
    const match = token.exec(body);
    if (!match) throw new Error(`malformed XML at ${index}: ${body.slice(index, index + 40)}`);
    const [, closing, name, attributes, selfClosing, text] = match;
    if (text !== undefined) {
      expect(badAmpersand.test(text)).toBe(false);
      if (stack.length === 0) expect(text.trim()).toBe('');
      continue;
    }
    expect(badAmpersand.test(attributes ?? '')).toBe(false);
    if (closing) {
      expect(stack.pop()).toBe(name);
      continue;
    }
    if (stack.length === 0) roots += 1;
    if (!selfClosing) stack.push(name ?? '');
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const opState: OperationState = {
  code: 0,
  stateCode: 100,
  requestDate: new Date('2024-01-15T09:34:56.789Z'),
  stateDate: new Date('2024-01-15T09:30:00Z'),
  incCurrLabel: 'BankCardPSR',
  incSum: '100.000000',
  incAccount: '220220******1234',
  paymentMethodCode: 'BankCard',
  paymentMethodDescription: 'Банковская карта',
  outCurrLabel: 'RUR',
  outSum: '100.000000',
  opKey: 'B3A2F7C1',
  bankCardRrn: '123456789012',
  userFields: [['Shp_order', '42']],
};

describe('XML answers: exact structure', () => {
  it('Result only (an error)', () => {
    const xml = buildResultOnlyResponse(
      'OperationStateResponse',
      XML_RESULT_CODE.operationNotFound,
      'Операция не найдена',
    );
    expect(xml).toBe(`${DECLARATION}
<OperationStateResponse ${ROOT_ATTRIBUTES}>
  <Result>
    <Code>3</Code>
    <Description>Операция не найдена</Description>
  </Result>
</OperationStateResponse>`);
    expectWellFormed(xml);
  });

  it('OpStateExt', () => {
    const xml = buildOpStateResponse(opState);
    expect(xml).toBe(`${DECLARATION}
<OperationStateResponse ${ROOT_ATTRIBUTES}>
  <Result>
    <Code>0</Code>
  </Result>
  <State>
    <Code>100</Code>
    <RequestDate>2024-01-15T12:34:56.789+03:00</RequestDate>
    <StateDate>2024-01-15T12:30:00.000+03:00</StateDate>
  </State>
  <Info>
    <IncCurrLabel>BankCardPSR</IncCurrLabel>
    <IncSum>100.000000</IncSum>
    <IncAccount>220220******1234</IncAccount>
    <PaymentMethod>
      <Code>BankCard</Code>
      <Description>Банковская карта</Description>
    </PaymentMethod>
    <OutCurrLabel>RUR</OutCurrLabel>
    <OutSum>100.000000</OutSum>
    <OpKey>B3A2F7C1</OpKey>
    <BankCardRRN>123456789012</BankCardRRN>
  </Info>
  <UserField>
    <Field>
      <Name>Shp_order</Name>
      <Value>42</Value>
    </Field>
  </UserField>
</OperationStateResponse>`);
    expectWellFormed(xml);
  });

  it('OpStateExt without RRN and user fields leaves those elements out', () => {
    const xml = buildOpStateResponse({ ...opState, bankCardRrn: undefined, userFields: [] });
    expect(xml).not.toContain('BankCardRRN');
    expect(xml).not.toContain('UserField');
    expect(xml).toContain('    <OpKey>B3A2F7C1</OpKey>\n  </Info>\n</OperationStateResponse>');
    expectWellFormed(xml);
  });

  it('GetCurrencies', () => {
    const xml = buildCurrenciesResponse([
      {
        code: 'BankCard',
        description: 'Банковской картой',
        items: [
          { label: 'BankCardPSR', alias: 'BankCard', name: 'Банковская карта' },
          { label: 'YandexPayPSR', alias: 'YandexPay', name: 'Яндекс Pay', minValue: '1', maxValue: '40000' },
        ],
      },
    ]);
    expect(xml).toBe(`${DECLARATION}
<CurrenciesList ${ROOT_ATTRIBUTES}>
  <Result>
    <Code>0</Code>
  </Result>
  <Groups>
    <Group Code="BankCard" Description="Банковской картой">
      <Items>
        <Currency Label="BankCardPSR" Alias="BankCard" Name="Банковская карта" />
        <Currency Label="YandexPayPSR" Alias="YandexPay" Name="Яндекс Pay" MinValue="1" MaxValue="40000" />
      </Items>
    </Group>
  </Groups>
</CurrenciesList>`);
    expectWellFormed(xml);
  });

  it('GetPaymentMethods', () => {
    const xml = buildPaymentMethodsResponse([
      { code: 'BankCard', description: 'Банковская карта' },
      { code: 'SBP', description: 'СБП' },
    ]);
    expect(xml).toBe(`${DECLARATION}
<PaymentMethodsList ${ROOT_ATTRIBUTES}>
  <Result>
    <Code>0</Code>
  </Result>
  <Methods>
    <Method Code="BankCard" Description="Банковская карта" />
    <Method Code="SBP" Description="СБП" />
  </Methods>
</PaymentMethodsList>`);
    expectWellFormed(xml);
    expectWellFormed(buildPaymentMethodsResponse([]));
  });

  it('GetRates', () => {
    const xml = buildRatesResponse([
      {
        code: 'BankCard',
        description: 'Банковской картой',
        items: [{ label: 'BankCardPSR', name: 'Банковская карта', incSum: '157.36' }],
      },
    ]);
    expect(xml).toBe(`${DECLARATION}
<RatesList ${ROOT_ATTRIBUTES}>
  <Result>
    <Code>0</Code>
  </Result>
  <Groups>
    <Group Code="BankCard" Description="Банковской картой">
      <Items>
        <Currency Label="BankCardPSR" Name="Банковская карта">
          <Rate IncSum="157.36" />
        </Currency>
      </Items>
    </Group>
  </Groups>
</RatesList>`);
    expectWellFormed(xml);
  });

  it('CalcOutSumm', () => {
    const xml = buildCalcOutSumResponse('143.64');
    expect(xml).toBe(`${DECLARATION}
<CalcSummsResponseData ${ROOT_ATTRIBUTES}>
  <Result>
    <Code>0</Code>
  </Result>
  <OutSum>143.64</OutSum>
</CalcSummsResponseData>`);
    expectWellFormed(xml);
  });

  it('has Robokassa’s result codes', () => {
    expect(Object.values(XML_RESULT_CODE)).toEqual([0, 1, 2, 3, 4, 5, 1000]);
  });
});

describe('XML escaping', () => {
  const nasty = `<a href="x">&'` + '\u0001\n\uD800😀';

  it('escapes markup characters and replaces characters XML cannot carry', () => {
    expect(escapeXml(nasty)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD&#xA;\uFFFD😀');
  });

  it('escapes every text and attribute', () => {
    const text = buildResultOnlyResponse('CurrenciesList', 1, nasty);
    expect(text).toContain(
      '<Description>&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD&#xA;\uFFFD😀</Description>',
    );
    expectWellFormed(text);
    const attributes = buildCurrenciesResponse([
      {
        code: '"&',
        description: "<'>",
        items: [{ label: '<', alias: '&', name: '"', minValue: "'", maxValue: '>' }],
      },
    ]);
    expect(attributes).toContain('<Group Code="&quot;&amp;" Description="&lt;&apos;&gt;">');
    expect(attributes).toContain(
      '<Currency Label="&lt;" Alias="&amp;" Name="&quot;" MinValue="&apos;" MaxValue="&gt;" />',
    );
    expectWellFormed(attributes);
    const state = buildOpStateResponse({ ...opState, opKey: '</OpKey>', userFields: [['Shp_<x>', 'a&b']] });
    expect(state).toContain('<OpKey>&lt;/OpKey&gt;</OpKey>');
    expect(state).toContain('<Name>Shp_&lt;x&gt;</Name>');
    expectWellFormed(state);
  });

  it('stays well-formed whatever the values', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (code, name) => {
        expectWellFormed(buildPaymentMethodsResponse([{ code, description: name }]));
        expectWellFormed(
          buildRatesResponse([{ code, description: name, items: [{ label: code, name, incSum: name }] }]),
        );
        expectWellFormed(buildResultOnlyResponse('RatesList', 5, name));
      }),
    );
  });
});

describe('formatMoscowDateTime', () => {
  it('writes Moscow time with its +03:00 offset', () => {
    expect(formatMoscowDateTime(new Date('2024-12-31T22:00:00.5Z'))).toBe('2025-01-01T01:00:00.500+03:00');
    expect(formatMoscowDateTime(new Date('2024-07-01T00:00:00Z'))).toBe('2024-07-01T03:00:00.000+03:00');
  });
});
