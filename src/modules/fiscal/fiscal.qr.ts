/**
 * The fiscal QR code's text, fixed by law (192-FZ): date and time, total, FN serial, document number,
 * fiscal sign and the settlement sign `n` (tag 1054: 1 sale, 2 refund of a sale). Built from the
 * register's own report, so it is what the printed receipt carries (reference atol-online.md §4).
 */
import type { FiscalReceiptKind } from './fiscal.tables.js';

export interface QrSource {
  /** `dd.mm.yyyy HH:MM:SS` as the register printed it. */
  readonly receiptDatetime: string;
  readonly totalMinor: bigint;
  readonly fnNumber: string;
  readonly fiscalDocumentNumber: bigint;
  readonly fiscalDocumentAttribute: bigint;
  readonly kind: FiscalReceiptKind;
}

const SETTLEMENT_SIGN: Record<FiscalReceiptKind, number> = { sell: 1, sell_refund: 2 };

/** `t=YYYYMMDDTHHMM&s=SUM&fn=...&i=...&fp=...&n=1|2`; undefined when the date is not in ATOL's format. */
export function buildFiscalQr(source: QrSource): string | undefined {
  const match = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):\d{2}$/.exec(source.receiptDatetime);
  if (!match) return undefined;
  const [, day, month, year, hours, minutes] = match;
  const digits = source.totalMinor.toString().padStart(3, '0');
  const sum = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return [
    `t=${year}${month}${day}T${hours}${minutes}`,
    `s=${sum}`,
    `fn=${source.fnNumber}`,
    `i=${source.fiscalDocumentNumber}`,
    `fp=${source.fiscalDocumentAttribute}`,
    `n=${SETTLEMENT_SIGN[source.kind]}`,
  ].join('&');
}

/**
 * The page where a buyer checks the receipt: the fiscal data operator's own link from ATOL's report
 * (`ofd_receipt_url`, sent by some operators), else the tax service's site from the receipt (tag 1060),
 * where a receipt is checked by its QR data. Only http(s) addresses and bare host names are used.
 */
export function buildCheckPageUrl(source: {
  readonly ofdReceiptUrl: string | null;
  readonly fnsSite: string | null;
}): string | null {
  if (source.ofdReceiptUrl !== null && /^https?:\/\/[^\s]+$/i.test(source.ofdReceiptUrl))
    return source.ofdReceiptUrl;
  const site = source.fnsSite?.trim() ?? '';
  if (/^https?:\/\/[^\s]+$/i.test(site)) return site;
  return /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(site) ? `https://${site}` : null;
}
