/**
 * The ATOL Online v5 (FFD 1.2) registration document, built from the neutral draft. Pure.
 *
 * - Money goes out as JSON numbers with at most two decimals (kopecks / 100, exact for every amount a
 *   register accepts); quantities with at most three.
 * - `timestamp` is the document's time in Moscow time, `dd.mm.yyyy HH:MM:SS` (reference §10 #3: Kopek
 *   fixes Moscow time, UTC+3 all year since 2014; the register prints its own time in receipt_datetime).
 * - v5 items carry `measure` and an integer `payment_object`; `internet: true` (tag 1125) says the
 *   settlement was made over the Internet, as every payment through Kopek is.
 * - VAT amounts are left to the register (reference §3: omitted sums are computed by the KKT), so no
 *   rounding of ours can make it refuse the receipt with error 128.
 */
import {
  draftPayments,
  draftTotalMinor,
  PAYMENT_OBJECTS,
  type FiscalAgent,
  type FiscalItem,
  type FiscalReceiptDraft,
  type Sno,
} from '../fiscal.receipt.js';

export type AtolOperation = 'sell' | 'sell_refund';

/** The seller as the register knows it: the shop's fiscal settings. */
export interface FiscalCompany {
  readonly inn: string;
  readonly sno: Sno;
  readonly paymentAddress: string;
  readonly email: string;
}

export interface AtolAgentInfo {
  type: string;
  paying_agent?: { operation?: string; phones: string[] };
  receive_payments_operator?: { phones: string[] };
  money_transfer_operator?: { phones: string[]; name: string; address: string; inn: string };
}

export interface AtolItem {
  name: string;
  price: number;
  quantity: number;
  sum: number;
  measure: number;
  payment_method: string;
  payment_object: number;
  vat: { type: string };
  agent_info?: AtolAgentInfo;
  supplier_info?: { phones?: string[]; name?: string; inn: string };
}

export interface AtolDocument {
  timestamp: string;
  external_id: string;
  service?: { callback_url: string };
  receipt: {
    client: { email?: string; phone?: string };
    company: { email: string; sno: string; inn: string; payment_address: string };
    items: AtolItem[];
    payments: { type: number; sum: number }[];
    total: number;
    internet: boolean;
  };
}

const MOSCOW_OFFSET_MS = 3 * 3_600_000;

const pad = (value: number, length = 2) => String(value).padStart(length, '0');

/** dd.mm.yyyy HH:MM:SS in Moscow time. */
export function formatAtolTimestamp(moment: Date): string {
  const local = new Date(moment.getTime() + MOSCOW_OFFSET_MS);
  const date = `${pad(local.getUTCDate())}.${pad(local.getUTCMonth() + 1)}.${local.getUTCFullYear()}`;
  return `${date} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
}

/** The moment of a `dd.mm.yyyy HH:MM:SS` Moscow time text, or undefined when it is not one. */
export function parseAtolTimestamp(text: string): Date | undefined {
  const match = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [day, month, year, hours, minutes, seconds] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const utc = Date.UTC(year, month - 1, day, hours, minutes, seconds) - MOSCOW_OFFSET_MS;
  const moment = new Date(utc);
  // Date.UTC rolls 31.02 over into March: such a text is not a date.
  return formatAtolTimestamp(moment) === text ? moment : undefined;
}

export function minorToAtolNumber(amountMinor: bigint): number {
  return Number(amountMinor) / 100;
}

export function thousandthsToAtolNumber(quantityThousandths: bigint): number {
  return Number(quantityThousandths) / 1000;
}

/** A JSON number with at most two decimals, in kopecks; undefined for anything else. */
export function atolNumberToMinor(value: unknown): bigint | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const scaled = Math.round(value * 100);
  if (Math.abs(scaled - value * 100) > 1e-6 || !Number.isSafeInteger(scaled)) return undefined;
  return BigInt(scaled);
}

/** v5 payment_object: the v4 name's position in tag 1212's list, from 1. */
export function paymentObjectCode(paymentObject: FiscalItem['paymentObject']): number {
  return PAYMENT_OBJECTS.indexOf(paymentObject) + 1;
}

function toAgentFields(agent: FiscalAgent): Pick<AtolItem, 'agent_info' | 'supplier_info'> {
  const info: AtolAgentInfo = { type: agent.type };
  if (agent.payingAgent)
    info.paying_agent = {
      ...(agent.payingAgent.operation === '' ? {} : { operation: agent.payingAgent.operation }),
      phones: [...agent.payingAgent.phones],
    };
  if (agent.receivePaymentsOperatorPhones)
    info.receive_payments_operator = { phones: [...agent.receivePaymentsOperatorPhones] };
  if (agent.moneyTransferOperator) {
    const operator = agent.moneyTransferOperator;
    info.money_transfer_operator = {
      phones: [...operator.phones],
      name: operator.name,
      address: operator.address,
      inn: operator.inn,
    };
  }
  const supplier = agent.supplier;
  return {
    agent_info: info,
    supplier_info: {
      ...(supplier.phones.length > 0 ? { phones: [...supplier.phones] } : {}),
      ...(supplier.name.trim() === '' ? {} : { name: supplier.name.trim() }),
      inn: supplier.inn,
    },
  };
}

function toAtolItem(item: FiscalItem, receiptAgent: FiscalAgent | undefined): AtolItem {
  const agent = item.agent ?? receiptAgent;
  return {
    name: item.name.trim(),
    price: minorToAtolNumber(item.priceMinor),
    quantity: thousandthsToAtolNumber(item.quantityThousandths),
    sum: minorToAtolNumber(item.sumMinor),
    measure: item.measure ?? 0,
    payment_method: item.paymentMethod,
    payment_object: paymentObjectCode(item.paymentObject),
    vat: { type: item.vat },
    ...(agent ? toAgentFields(agent) : {}),
  };
}

export interface DocumentInput {
  readonly externalId: string;
  /** The document's time: when its generation was created. */
  readonly createdAt: Date;
  readonly company: FiscalCompany;
  readonly draft: FiscalReceiptDraft;
}

/**
 * The body of `POST {base}{group}/sell|sell_refund`, without `service` (Kopek's callback address is
 * added when it is sent). Check the draft first (findDraftProblems): this builds whatever it is given.
 */
export function buildAtolDocument(input: DocumentInput): AtolDocument {
  const { draft, company } = input;
  const email = draft.client?.email;
  const phone = draft.client?.phone;
  // ATOL needs a contact; without the buyer's, the receipt goes to the shop's own address.
  const client =
    email || phone ? { ...(email ? { email } : {}), ...(phone ? { phone } : {}) } : { email: company.email };
  return {
    timestamp: formatAtolTimestamp(input.createdAt),
    external_id: input.externalId,
    receipt: {
      client,
      company: {
        email: company.email,
        sno: draft.sno ?? company.sno,
        inn: company.inn,
        payment_address: company.paymentAddress,
      },
      items: draft.items.map((item) => toAtolItem(item, draft.agent)),
      payments: draftPayments(draft).map((payment) => ({
        type: payment.type,
        sum: minorToAtolNumber(payment.sumMinor),
      })),
      total: minorToAtolNumber(draftTotalMinor(draft)),
      internet: true,
    },
  };
}
