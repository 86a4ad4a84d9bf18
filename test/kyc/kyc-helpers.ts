/** Valid numbers for KYC tests, built with the tax service's rules (independently of the module's code). */
import { BANK_DETAILS } from '../payouts/helpers.js';

/** Appends (body mod m) mod 10: the OGRN (m = 11, 12 digits) and OGRNIP (m = 13, 14 digits) rule. */
export function withRegistrationCheck(body: string, modulus: number): string {
  return body + String(Number(BigInt(body) % BigInt(modulus)) % 10);
}

function innDigit(digits: number[], weights: number[]): number {
  return (weights.reduce((sum, weight, index) => sum + weight * digits[index]!, 0) % 11) % 10;
}

/** A 12-digit INN from 10 digits, with both check digits. */
export function withInn12Check(body: string): string {
  const digits = [...body].map(Number);
  const first = innDigit(digits, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  const second = innDigit([...digits, first], [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  return `${body}${first}${second}`;
}

export const BANK = {
  bik: BANK_DETAILS.bik,
  settlementAccount: BANK_DETAILS.settlementAccount,
  correspondentAccount: BANK_DETAILS.correspondentAccount,
};

export const LEGAL_ENTITY = {
  companyName: 'ООО «Книжная лавка»',
  inn: '7707083893',
  kpp: '773601001',
  ogrn: '1027700132195',
  legalAddress: '117312, Москва, ул. Вавилова, д. 19',
  postalAddress: '117312, Москва, ул. Вавилова, д. 19',
  directorName: 'Иванов Иван Иванович',
  contactPhone: '+7 (495) 500-55-50',
  ...BANK,
};

export const SOLE_PROPRIETOR = {
  fullName: 'Петров Пётр Петрович',
  inn: withInn12Check('5001234567'),
  ogrnip: withRegistrationCheck('30450010000012', 13),
  postalAddress: '141000, Мытищи, ул. Мира, д. 1',
  contactPhone: '+79161234567',
  ...BANK,
};

export const SELF_EMPLOYED = {
  fullName: 'Сидорова Анна Сергеевна',
  inn: withInn12Check('7712345678'),
  contactPhone: '89161234567',
  ...BANK,
};

export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
export const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR-tiny'),
]);
