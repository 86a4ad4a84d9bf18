/**
 * The draft as stored (fiscal_receipts.draft, jsonb): amounts and quantities as decimal strings of
 * kopecks and thousandths, because JSON has no bigint. Reading checks the shape again: a stored draft is
 * an input like any other (a retry rebuilds the document from it).
 */
import {
  AGENT_TYPES,
  MEASURES,
  PAYMENT_METHODS,
  PAYMENT_OBJECTS,
  SNO_VALUES,
  VAT_TYPES,
  type FiscalAgent,
  type FiscalItem,
  type FiscalPayment,
  type FiscalPaymentType,
  type FiscalReceiptDraft,
  type Measure,
} from './fiscal.receipt.js';

export function draftToJson(draft: FiscalReceiptDraft): unknown {
  return {
    items: draft.items.map((item) => ({
      ...item,
      priceMinor: item.priceMinor.toString(),
      quantityThousandths: item.quantityThousandths.toString(),
      sumMinor: item.sumMinor.toString(),
    })),
    ...(draft.payments
      ? {
          payments: draft.payments.map((payment) => ({
            type: payment.type,
            sumMinor: payment.sumMinor.toString(),
          })),
        }
      : {}),
    ...(draft.client ? { client: draft.client } : {}),
    ...(draft.sno ? { sno: draft.sno } : {}),
    ...(draft.agent ? { agent: draft.agent } : {}),
  };
}

class DraftShapeError extends Error {}

type Fields = Record<string, unknown>;

function fieldsOf(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DraftShapeError(`${what} is not an object`);
  return value as Fields;
}

function stringOf(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new DraftShapeError(`${what} is not a string`);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : stringOf(value, what);
}

function bigintOf(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !/^-?\d{1,20}$/.test(value))
    throw new DraftShapeError(`${what} is not an integer`);
  return BigInt(value);
}

function choiceOf<T extends string>(options: readonly T[], value: unknown, what: string): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value))
    throw new DraftShapeError(`${what} is not one of ${options.join(', ')}`);
  return value as T;
}

function stringsOf(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw new DraftShapeError(`${what} is not a list`);
  return value.map((entry, index) => stringOf(entry, `${what}[${index}]`));
}

function agentOf(value: unknown): FiscalAgent {
  const agent = fieldsOf(value, 'agent');
  const supplier = fieldsOf(agent.supplier, 'agent.supplier');
  const paying =
    agent.payingAgent === undefined ? undefined : fieldsOf(agent.payingAgent, 'agent.payingAgent');
  const operator =
    agent.moneyTransferOperator === undefined
      ? undefined
      : fieldsOf(agent.moneyTransferOperator, 'agent.moneyTransferOperator');
  return {
    type: choiceOf(AGENT_TYPES, agent.type, 'agent.type'),
    ...(paying
      ? {
          payingAgent: {
            operation: stringOf(paying.operation, 'operation'),
            phones: stringsOf(paying.phones, 'phones'),
          },
        }
      : {}),
    ...(agent.receivePaymentsOperatorPhones === undefined
      ? {}
      : { receivePaymentsOperatorPhones: stringsOf(agent.receivePaymentsOperatorPhones, 'phones') }),
    ...(operator
      ? {
          moneyTransferOperator: {
            name: stringOf(operator.name, 'name'),
            address: stringOf(operator.address, 'address'),
            inn: stringOf(operator.inn, 'inn'),
            phones: stringsOf(operator.phones, 'phones'),
          },
        }
      : {}),
    supplier: {
      name: stringOf(supplier.name, 'supplier.name'),
      inn: stringOf(supplier.inn, 'supplier.inn'),
      phones: stringsOf(supplier.phones, 'supplier.phones'),
    },
  };
}

function itemOf(value: unknown, index: number): FiscalItem {
  const item = fieldsOf(value, `items[${index}]`);
  if (item.measure !== undefined && !(MEASURES as readonly unknown[]).includes(item.measure))
    throw new DraftShapeError(`items[${index}].measure is not a known measure`);
  return {
    name: stringOf(item.name, 'name'),
    priceMinor: bigintOf(item.priceMinor, 'priceMinor'),
    quantityThousandths: bigintOf(item.quantityThousandths, 'quantityThousandths'),
    sumMinor: bigintOf(item.sumMinor, 'sumMinor'),
    paymentMethod: choiceOf(PAYMENT_METHODS, item.paymentMethod, 'paymentMethod'),
    paymentObject: choiceOf(PAYMENT_OBJECTS, item.paymentObject, 'paymentObject'),
    vat: choiceOf(VAT_TYPES, item.vat, 'vat'),
    ...(item.measure === undefined ? {} : { measure: item.measure as Measure }),
    ...(item.agent === undefined ? {} : { agent: agentOf(item.agent) }),
  };
}

function paymentOf(value: unknown): FiscalPayment {
  const payment = fieldsOf(value, 'payment');
  if (
    typeof payment.type !== 'number' ||
    !Number.isInteger(payment.type) ||
    payment.type < 0 ||
    payment.type > 9
  )
    throw new DraftShapeError('payment.type is not 0..9');
  return {
    type: payment.type as FiscalPaymentType,
    sumMinor: bigintOf(payment.sumMinor, 'payment.sumMinor'),
  };
}

/** The stored draft, or an Error saying what is wrong with it. */
export function draftFromJson(value: unknown): FiscalReceiptDraft | Error {
  try {
    const draft = fieldsOf(value, 'draft');
    if (!Array.isArray(draft.items)) throw new DraftShapeError('items is not a list');
    const client = draft.client === undefined ? undefined : fieldsOf(draft.client, 'client');
    return {
      items: draft.items.map(itemOf),
      ...(draft.payments === undefined
        ? {}
        : { payments: (Array.isArray(draft.payments) ? draft.payments : []).map(paymentOf) }),
      ...(client
        ? {
            client: {
              email: optionalString(client.email, 'client.email'),
              phone: optionalString(client.phone, 'client.phone'),
            },
          }
        : {}),
      ...(draft.sno === undefined ? {} : { sno: choiceOf(SNO_VALUES, draft.sno, 'sno') }),
      ...(draft.agent === undefined ? {} : { agent: agentOf(draft.agent) }),
    };
  } catch (error) {
    if (error instanceof DraftShapeError) return new Error(`stored receipt draft: ${error.message}`);
    throw error;
  }
}
