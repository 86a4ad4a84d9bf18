/**
 * Payment orders in 1C's client-bank exchange format (1CClientBankExchange, version 1.03), the text file
 * that Russian banks' client-bank systems import: a header, one СекцияДокумент=Платежное поручение ...
 * КонецДокумента per payout, and КонецФайла. Lines are "Key=Value", CRLF-separated, in windows-1251
 * (Кодировка=Windows). Amounts are rubles with a dot and two decimals; dates dd.mm.yyyy.
 *
 * Pure: the caller supplies the parties, numbers, dates and purposes. Values are made safe for the
 * line format (no line breaks) and for the encoding (a character windows-1251 lacks becomes "?"), and cut
 * to the lengths the format allows.
 */
import { encodeWindows1251 } from '../protocol/index.js';

export interface ClientBankParty {
  readonly name: string;
  readonly inn: string;
  readonly kpp: string | null;
  readonly settlementAccount: string;
  /** The bank's name; the recipient's bank is found by its BIC when unknown. */
  readonly bankName: string | null;
  readonly bik: string;
  readonly correspondentAccount: string;
}

export interface ClientBankPaymentOrder {
  readonly number: bigint;
  /** The order's date, dd.mm.yyyy. */
  readonly date: string;
  /** Rubles in kopecks. */
  readonly amountMinor: bigint;
  readonly payee: ClientBankParty;
  readonly purpose: string;
}

export interface ClientBankFile {
  /** The program that made the file (Отправитель). */
  readonly sender: string;
  /** dd.mm.yyyy and hh:mm:ss. */
  readonly createdOn: string;
  readonly createdAtTime: string;
  readonly payer: ClientBankParty;
  readonly orders: readonly ClientBankPaymentOrder[];
}

const LINE_BREAK = '\r\n';
/** The payment order's limits (Bank of Russia 383-P fields 8, 16, 24). */
const NAME_MAX_LENGTH = 160;
const PURPOSE_MAX_LENGTH = 210;
/** Payment type 01: a payment order. Priority 5: ordinary commercial payments. */
const PAYMENT_ORDER_KIND = '01';
const PAYMENT_PRIORITY = '5';

/** One line's value: no line breaks, every character in windows-1251, at most maxLength characters. */
export function clientBankValue(text: string, maxLength = 500): string {
  const flat = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  let safe = '';
  for (const character of flat) safe += encodeWindows1251(character) ? character : '?';
  return [...safe].slice(0, maxLength).join('');
}

/** Kopecks as the format's amount: rubles, a dot, two decimals ("150000.00"). */
export function clientBankAmount(amountMinor: bigint): string {
  if (amountMinor <= 0n) throw new Error('a payment order needs a positive amount');
  return `${amountMinor / 100n}.${String(amountMinor % 100n).padStart(2, '0')}`;
}

function partyLines(role: 'Плательщик' | 'Получатель', party: ClientBankParty): string[] {
  const name = clientBankValue(party.name, NAME_MAX_LENGTH);
  const code = (value: string) => clientBankValue(value, 20);
  return [
    `${role}Счет=${code(party.settlementAccount)}`,
    `${role}=${name}`,
    `${role}ИНН=${code(party.inn)}`,
    ...(party.kpp ? [`${role}КПП=${code(party.kpp)}`] : []),
    `${role}1=${name}`,
    `${role}РасчСчет=${code(party.settlementAccount)}`,
    ...(party.bankName ? [`${role}Банк1=${clientBankValue(party.bankName, NAME_MAX_LENGTH)}`] : []),
    `${role}БИК=${code(party.bik)}`,
    `${role}Корсчет=${code(party.correspondentAccount)}`,
  ];
}

function orderLines(payer: ClientBankParty, order: ClientBankPaymentOrder): string[] {
  return [
    'СекцияДокумент=Платежное поручение',
    `Номер=${order.number}`,
    `Дата=${order.date}`,
    `Сумма=${clientBankAmount(order.amountMinor)}`,
    ...partyLines('Плательщик', payer),
    ...partyLines('Получатель', order.payee),
    `ВидОплаты=${PAYMENT_ORDER_KIND}`,
    `Очередность=${PAYMENT_PRIORITY}`,
    `НазначениеПлатежа=${clientBankValue(order.purpose, PURPOSE_MAX_LENGTH)}`,
    'КонецДокумента',
  ];
}

/** dd.mm.yyyy → a sortable yyyymmdd. */
const sortableDate = (date: string) => date.split('.').reverse().join('');

/** The file as text (CRLF line ends, a final CRLF). */
export function formatClientBankExchange(file: ClientBankFile): string {
  if (file.orders.length === 0) throw new Error('a client-bank file needs at least one payment order');
  const dates = file.orders
    .map((order) => order.date)
    .sort((a, b) => (sortableDate(a) < sortableDate(b) ? -1 : 1));
  const lines = [
    '1CClientBankExchange',
    'ВерсияФормата=1.03',
    'Кодировка=Windows',
    `Отправитель=${clientBankValue(file.sender, 100)}`,
    'Получатель=',
    `ДатаСоздания=${file.createdOn}`,
    `ВремяСоздания=${file.createdAtTime}`,
    `ДатаНачала=${dates[0]}`,
    `ДатаКонца=${dates[dates.length - 1]}`,
    `РасчСчет=${clientBankValue(file.payer.settlementAccount, 20)}`,
    'Документ=Платежное поручение',
    ...file.orders.flatMap((order) => orderLines(file.payer, order)),
    'КонецФайла',
  ];
  return lines.join(LINE_BREAK) + LINE_BREAK;
}

/** The file's bytes, windows-1251, as the bank's client imports them. */
export function encodeClientBankExchange(file: ClientBankFile): Buffer {
  const bytes = encodeWindows1251(formatClientBankExchange(file));
  // Every value went through clientBankValue and the fixed text is Cyrillic and ASCII: cannot happen.
  if (!bytes) throw new Error('the client-bank file has a character windows-1251 lacks');
  return bytes;
}
