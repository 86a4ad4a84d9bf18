/**
 * Answers of the XML web service (`/Merchant/WebService/Service.asmx/<Method>`, reference §4), shaped
 * like Robokassa's live responses: the .NET serializer's namespace declarations, two-space indentation,
 * `<Result><Code>0</Code></Result>` before the data on success, and Result alone (Code and
 * Description) on failure. Every text and attribute value is escaped here, so callers pass plain text.
 */

export const WEB_SERVICE_NAMESPACE = 'http://merchant.roboxchange.com/WebService/';

/** `Result/Code` values (reference §4). */
export const XML_RESULT_CODE = {
  ok: 0,
  badSignature: 1,
  shopNotFound: 2,
  operationNotFound: 3,
  duplicateOperations: 4,
  calculationError: 5,
  internalError: 1000,
} as const;
export type XmlResultCode = (typeof XML_RESULT_CODE)[keyof typeof XML_RESULT_CODE];

export type XmlResponseRoot =
  'OperationStateResponse' | 'CurrenciesList' | 'PaymentMethodsList' | 'RatesList' | 'CalcSummsResponseData';

/**
 * `State/Code` of OpStateExt (reference §4). 20 (hold: the amount is reserved on the card, StepByStep)
 * appears in one library only (§16 item 5); Kopek answers it for holds, as that library expects.
 */
export type OperationStateCode = 5 | 10 | 20 | 50 | 60 | 80 | 100;

export interface OperationState {
  readonly code: 0;
  readonly stateCode: OperationStateCode;
  readonly requestDate: Date;
  readonly stateDate: Date;
  readonly incCurrLabel: string;
  /** Decimal text, e.g. "100.000000". */
  readonly incSum: string;
  /** Already masked by the caller, e.g. "220220******1234". */
  readonly incAccount: string;
  readonly paymentMethodCode: string;
  readonly paymentMethodDescription: string;
  readonly outCurrLabel: string;
  readonly outSum: string;
  readonly opKey: string;
  readonly bankCardRrn?: string | undefined;
  /** Shp parameters: name with prefix and value. */
  readonly userFields: readonly (readonly [string, string])[];
}

export interface CurrencyGroup {
  readonly code: string;
  readonly description: string;
  readonly items: readonly {
    readonly label: string;
    readonly alias: string;
    readonly name: string;
    readonly minValue?: string | undefined;
    readonly maxValue?: string | undefined;
  }[];
}

export interface PaymentMethod {
  readonly code: string;
  readonly description: string;
}

export interface RateGroup {
  readonly code: string;
  readonly description: string;
  readonly items: readonly { readonly label: string; readonly name: string; readonly incSum: string }[];
}

interface XmlElement {
  readonly name: string;
  readonly attributes?: readonly (readonly [string, string | undefined])[];
  readonly text?: string;
  readonly children?: readonly XmlElement[];
}

/** Robokassa works in Moscow time (UTC+3 all year since 2014), and its dates carry that offset. */
const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

export function buildResultOnlyResponse(root: XmlResponseRoot, code: number, description: string): string {
  return renderDocument(root, [
    {
      name: 'Result',
      children: [textElement('Code', String(code)), textElement('Description', description)],
    },
  ]);
}

export function buildOpStateResponse(state: OperationState): string {
  const info: XmlElement[] = [
    textElement('IncCurrLabel', state.incCurrLabel),
    textElement('IncSum', state.incSum),
    textElement('IncAccount', state.incAccount),
    {
      name: 'PaymentMethod',
      children: [
        textElement('Code', state.paymentMethodCode),
        textElement('Description', state.paymentMethodDescription),
      ],
    },
    textElement('OutCurrLabel', state.outCurrLabel),
    textElement('OutSum', state.outSum),
    textElement('OpKey', state.opKey),
    ...(state.bankCardRrn === undefined ? [] : [textElement('BankCardRRN', state.bankCardRrn)]),
  ];
  const fields = state.userFields.map(([name, value]) => ({
    name: 'Field',
    children: [textElement('Name', name), textElement('Value', value)],
  }));
  return renderDocument('OperationStateResponse', [
    successResult(),
    {
      name: 'State',
      children: [
        textElement('Code', String(state.stateCode)),
        textElement('RequestDate', formatMoscowDateTime(state.requestDate)),
        textElement('StateDate', formatMoscowDateTime(state.stateDate)),
      ],
    },
    { name: 'Info', children: info },
    ...(fields.length === 0 ? [] : [{ name: 'UserField', children: fields }]),
  ]);
}

export function buildCurrenciesResponse(groups: readonly CurrencyGroup[]): string {
  return renderDocument('CurrenciesList', [
    successResult(),
    {
      name: 'Groups',
      children: groups.map((group) =>
        groupElement(
          group,
          group.items.map((item) => ({
            name: 'Currency',
            attributes: [
              ['Label', item.label],
              ['Alias', item.alias],
              ['Name', item.name],
              ['MinValue', item.minValue],
              ['MaxValue', item.maxValue],
            ],
          })),
        ),
      ),
    },
  ]);
}

export function buildPaymentMethodsResponse(methods: readonly PaymentMethod[]): string {
  const children = methods.map((method) => ({
    name: 'Method',
    attributes: [
      ['Code', method.code],
      ['Description', method.description],
    ] as const,
  }));
  return renderDocument('PaymentMethodsList', [successResult(), { name: 'Methods', children }]);
}

export function buildRatesResponse(groups: readonly RateGroup[]): string {
  return renderDocument('RatesList', [
    successResult(),
    {
      name: 'Groups',
      children: groups.map((group) =>
        groupElement(
          group,
          group.items.map((item) => ({
            name: 'Currency',
            attributes: [
              ['Label', item.label],
              ['Name', item.name],
            ],
            children: [{ name: 'Rate', attributes: [['IncSum', item.incSum]] }],
          })),
        ),
      ),
    },
  ]);
}

/** CalcOutSumm: what the shop receives. The root is the live one (reference §13 item 12). */
export function buildCalcOutSumResponse(outSum: string): string {
  return renderDocument('CalcSummsResponseData', [successResult(), textElement('OutSum', outSum)]);
}

/** `2024-01-15T12:34:56.789+03:00`: ISO 8601 in Moscow time with its offset. */
export function formatMoscowDateTime(date: Date): string {
  return new Date(date.getTime() + MOSCOW_OFFSET_MS).toISOString().replace('Z', '+03:00');
}

/** Escapes markup characters, and replaces characters XML 1.0 cannot carry at all with U+FFFD. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/[&<>"'\t\n\r]/g, (character) => XML_ESCAPES[character] ?? character);
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Escaped so that attribute-value normalisation does not turn them into spaces.
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

function successResult(): XmlElement {
  return { name: 'Result', children: [textElement('Code', String(XML_RESULT_CODE.ok))] };
}

function groupElement(
  group: { code: string; description: string },
  items: readonly XmlElement[],
): XmlElement {
  return {
    name: 'Group',
    attributes: [
      ['Code', group.code],
      ['Description', group.description],
    ],
    children: [{ name: 'Items', children: items }],
  };
}

function textElement(name: string, text: string): XmlElement {
  return { name, text };
}

function renderDocument(root: XmlResponseRoot, children: readonly XmlElement[]): string {
  const rootElement: XmlElement = {
    name: root,
    attributes: [
      ['xmlns:xsd', 'http://www.w3.org/2001/XMLSchema'],
      ['xmlns:xsi', 'http://www.w3.org/2001/XMLSchema-instance'],
      ['xmlns', WEB_SERVICE_NAMESPACE],
    ],
    children,
  };
  return ['<?xml version="1.0" encoding="utf-8"?>', ...renderElement(rootElement, 0)].join('\n');
}

function renderElement(element: XmlElement, depth: number): string[] {
  const indent = '  '.repeat(depth);
  const attributes = (element.attributes ?? [])
    .filter((attribute): attribute is readonly [string, string] => attribute[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const open = `${indent}<${element.name}${attributes}`;
  if (element.text !== undefined) return [`${open}>${escapeXml(element.text)}</${element.name}>`];
  const children = element.children ?? [];
  if (children.length === 0) return [`${open} />`];
  return [
    `${open}>`,
    ...children.flatMap((child) => renderElement(child, depth + 1)),
    `${indent}</${element.name}>`,
  ];
}
