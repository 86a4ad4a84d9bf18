/**
 * Robokassa's receipts made into the neutral draft. The merchant's Receipt (or the Invoice and Refund
 * APIs' item lists) arrives already read and checked by protocol.parseReceipt / parseReceiptItemList,
 * kept with the payment in that normalized form, so nothing here reads the merchant's text again. Pure.
 *
 * Decisions where Robokassa is silent:
 * - no Receipt: Robokassa's "free sale" (protocol.buildFreeSaleReceipt: "Свободная продажа", lines of
 *   at most the register's line limit), VAT "none";
 * - missing payment_method / payment_object: full_prepayment / commodity (ATOL's documented defaults;
 *   Kopek has no per-shop default yet); `composite` (dropped in FFD 1.05, no v5 code) goes as `another`;
 * - a line sent with `sum` only whose unit price is not a whole number of kopecks (3 pieces for 100.00):
 *   the register checks sum = price × quantity, so it becomes two lines of the same name, quantity − 1 at
 *   the rounded price and 1 piece at the rest (33.33 × 2 = 66.66 and 33.34 × 1), or, for large
 *   quantities, a part at the price rounded down and the rest one kopeck dearer; the sum is kept;
 * - a refund without items: one line named after the payment's description for the refunded amount.
 */
import type { LocalizedText } from '../../platform/i18n.js';
import {
  buildFreeSaleReceipt,
  MAX_RECEIPT_AMOUNT_MINOR,
  MAX_RECEIPT_ITEMS,
  type Receipt,
  type ReceiptItem,
} from '../protocol/index.js';
import {
  lineSumMinor,
  type FiscalAgent,
  type FiscalItem,
  type FiscalReceiptDraft,
  type PaymentObject,
} from './fiscal.receipt.js';

export interface ReceiptFallback {
  /** The payment's Description: the single line's name when there is no item list. */
  readonly description: string;
  readonly amountMinor: bigint;
  /** The buyer's e-mail, where the OFD sends the receipt. */
  readonly email?: string | null | undefined;
}

export interface ReceiptBuyer {
  readonly email?: string | null | undefined;
}

const ONE_UNIT = 1000n;
const MAX_FREE_SALE_MINOR = BigInt(MAX_RECEIPT_ITEMS) * MAX_RECEIPT_AMOUNT_MINOR;

function clientOf(buyer: ReceiptBuyer) {
  return buyer.email ? { client: { email: buyer.email } } : {};
}

/** Receipt's agent_info + supplier_info as the draft's agent (both present: the parser requires it). */
function agentOf(item: ReceiptItem): FiscalAgent | undefined {
  const agent = item.agentInfo;
  const supplier = item.supplierInfo;
  if (agent === undefined || supplier === undefined) return undefined;
  const transfer = agent.moneyTransferOperator;
  return {
    type: agent.type,
    ...(agent.payingAgent
      ? {
          payingAgent: {
            operation: agent.payingAgent.operation ?? '',
            phones: agent.payingAgent.phones ?? [],
          },
        }
      : {}),
    ...(agent.receivePaymentsOperator?.phones
      ? { receivePaymentsOperatorPhones: agent.receivePaymentsOperator.phones }
      : {}),
    ...(transfer
      ? {
          moneyTransferOperator: {
            name: transfer.name ?? '',
            address: transfer.address ?? '',
            inn: transfer.inn ?? '',
            phones: transfer.phones ?? [],
          },
        }
      : {}),
    supplier: { inn: supplier.inn, name: supplier.name ?? '', phones: supplier.phones ?? [] },
  };
}

/** `composite` left FFD in 1.05 and has no v5 code: it is registered as `another` (v5 code 13). */
function paymentObjectOf(item: ReceiptItem): PaymentObject {
  const object = item.paymentObject ?? 'commodity';
  return object === 'composite' ? 'another' : object;
}

interface LineSplit {
  readonly priceMinor: bigint;
  readonly quantityThousandths: bigint;
}

/**
 * Ways to carry `sumMinor` for `quantityThousandths` in two lines whose sums are each price × quantity:
 * quantity − 1 unit at the rounded price and one unit at the rest (what a person would write), or, when
 * the rounding adds up past the sum on a large quantity, part at the price rounded down and the rest one
 * kopeck dearer (floor(sum ÷ quantity) and its remainder, exact in thousandths).
 */
function splitCandidates(item: ReceiptItem): (readonly LineSplit[])[] {
  const quantity = item.quantityThousandths;
  const rest = quantity - ONE_UNIT;
  const floorPriceMinor = (item.sumMinor * ONE_UNIT) / quantity;
  const dearer = (item.sumMinor * ONE_UNIT) % quantity;
  const unitSplit = (priceMinor: bigint): readonly LineSplit[] => [
    { priceMinor, quantityThousandths: rest },
    { priceMinor: item.sumMinor - lineSumMinor(priceMinor, rest), quantityThousandths: ONE_UNIT },
  ];
  return [
    unitSplit(item.priceMinor),
    unitSplit(floorPriceMinor),
    unitSplit(floorPriceMinor + 1n),
    [
      { priceMinor: floorPriceMinor, quantityThousandths: quantity - dearer },
      { priceMinor: floorPriceMinor + 1n, quantityThousandths: dearer },
    ],
  ];
}

function isExactSplit(split: readonly LineSplit[], sumMinor: bigint): boolean {
  const sums = split.map((line) => lineSumMinor(line.priceMinor, line.quantityThousandths));
  const isInLimits = (line: LineSplit) =>
    line.priceMinor >= 0n && line.priceMinor <= MAX_RECEIPT_AMOUNT_MINOR && line.quantityThousandths > 0n;
  return split.every(isInLimits) && sums.reduce((total, sum) => total + sum, 0n) === sumMinor;
}

/**
 * One Receipt item as one line, or two when its derived unit price does not give its sum back. If no
 * split works, the line goes as it is and the draft check names it, so the receipt fails with a reason.
 */
function linesOf(item: ReceiptItem): FiscalItem[] {
  const agent = agentOf(item);
  const line = {
    name: item.name.trim(),
    paymentMethod: item.paymentMethod ?? 'full_prepayment',
    paymentObject: paymentObjectOf(item),
    vat: item.tax,
    ...(agent ? { agent } : {}),
  } as const;
  const whole = {
    ...line,
    priceMinor: item.priceMinor,
    quantityThousandths: item.quantityThousandths,
    sumMinor: item.sumMinor,
  };
  // With a quantity of one unit or less the rounded price always gives the sum back.
  if (item.hasExactPrice || item.quantityThousandths <= ONE_UNIT) return [whole];
  const split = splitCandidates(item).find((candidate) => isExactSplit(candidate, item.sumMinor));
  if (split === undefined) return [whole];
  return split.map((part) => ({
    ...line,
    ...part,
    sumMinor: lineSumMinor(part.priceMinor, part.quantityThousandths),
  }));
}

/** The draft of a read receipt: its lines, its tax system, the buyer's e-mail. */
export function draftFromReceipt(receipt: Receipt, buyer: ReceiptBuyer = {}): FiscalReceiptDraft {
  return {
    items: receipt.items.flatMap(linesOf),
    ...(receipt.sno ? { sno: receipt.sno } : {}),
    ...clientOf(buyer),
  };
}

/**
 * The receipt of a payment sent without a Receipt (and without IsWithoutFreeSale=true), or why there
 * can be none (an amount beyond 100 lines of the register's limit): never a throw inside the paid
 * payment's transaction.
 */
export function freeSaleDraft(
  amountMinor: bigint,
  buyer: ReceiptBuyer = {},
): FiscalReceiptDraft | LocalizedText {
  if (amountMinor <= 0n || amountMinor > MAX_FREE_SALE_MINOR)
    return {
      ru: 'сумма не помещается в один чек.',
      en: 'the amount does not fit into one receipt.',
    };
  return draftFromReceipt(buildFreeSaleReceipt(amountMinor), buyer);
}

/** The single line of a refund sent without items. */
export function fallbackDraft(fallback: ReceiptFallback): FiscalReceiptDraft {
  const name = [...(fallback.description.trim() || 'Оплата заказа')].slice(0, 128).join('');
  return {
    items: [
      {
        name,
        priceMinor: fallback.amountMinor,
        quantityThousandths: ONE_UNIT,
        sumMinor: fallback.amountMinor,
        paymentMethod: 'full_prepayment',
        paymentObject: 'commodity',
        vat: 'none',
      },
    ],
    ...clientOf(fallback),
  };
}
