/**
 * The 1C client-bank exchange file, pure: the exact text (header, one section per payment order, CRLF
 * line ends), the windows-1251 bytes, amounts in rubles with a dot, and values made safe for the format.
 */
import { describe, expect, it } from 'vitest';
import {
  clientBankAmount,
  clientBankValue,
  encodeClientBankExchange,
  formatClientBankExchange,
  type ClientBankFile,
} from '../../src/modules/payouts/client-bank-export.js';

const PAYER = {
  name: 'ООО «Копек»',
  inn: '7700000000',
  kpp: '770001001',
  settlementAccount: '40702810000000000001',
  bankName: 'АО «Демо-Банк»',
  bik: '044525000',
  correspondentAccount: '30101810000000000000',
};

const FILE: ClientBankFile = {
  sender: 'Kopek',
  createdOn: '02.03.2026',
  createdAtTime: '12:30:05',
  payer: PAYER,
  orders: [
    {
      number: 7n,
      date: '02.03.2026',
      amountMinor: 15_000_050n,
      payee: {
        name: 'ООО «Книжная лавка»',
        inn: '7707083893',
        kpp: '773601001',
        settlementAccount: '40702810700000001234',
        bankName: null,
        bik: '044525225',
        correspondentAccount: '30101810400000000225',
      },
      purpose: 'Выплата pyt_1. НДС не облагается',
    },
    {
      number: 8n,
      date: '01.03.2026',
      amountMinor: 5n,
      payee: {
        name: 'ИП Иванов Иван',
        inn: '500100732259',
        kpp: null,
        settlementAccount: '40802810000000000002',
        bankName: null,
        bik: '044525225',
        correspondentAccount: '30101810400000000225',
      },
      purpose: 'Выплата pyt_2',
    },
  ],
};

const EXPECTED = [
  '1CClientBankExchange',
  'ВерсияФормата=1.03',
  'Кодировка=Windows',
  'Отправитель=Kopek',
  'Получатель=',
  'ДатаСоздания=02.03.2026',
  'ВремяСоздания=12:30:05',
  'ДатаНачала=01.03.2026',
  'ДатаКонца=02.03.2026',
  'РасчСчет=40702810000000000001',
  'Документ=Платежное поручение',
  'СекцияДокумент=Платежное поручение',
  'Номер=7',
  'Дата=02.03.2026',
  'Сумма=150000.50',
  'ПлательщикСчет=40702810000000000001',
  'Плательщик=ООО «Копек»',
  'ПлательщикИНН=7700000000',
  'ПлательщикКПП=770001001',
  'Плательщик1=ООО «Копек»',
  'ПлательщикРасчСчет=40702810000000000001',
  'ПлательщикБанк1=АО «Демо-Банк»',
  'ПлательщикБИК=044525000',
  'ПлательщикКорсчет=30101810000000000000',
  'ПолучательСчет=40702810700000001234',
  'Получатель=ООО «Книжная лавка»',
  'ПолучательИНН=7707083893',
  'ПолучательКПП=773601001',
  'Получатель1=ООО «Книжная лавка»',
  'ПолучательРасчСчет=40702810700000001234',
  'ПолучательБИК=044525225',
  'ПолучательКорсчет=30101810400000000225',
  'ВидОплаты=01',
  'Очередность=5',
  'НазначениеПлатежа=Выплата pyt_1. НДС не облагается',
  'КонецДокумента',
  'СекцияДокумент=Платежное поручение',
  'Номер=8',
  'Дата=01.03.2026',
  'Сумма=0.05',
  'ПлательщикСчет=40702810000000000001',
  'Плательщик=ООО «Копек»',
  'ПлательщикИНН=7700000000',
  'ПлательщикКПП=770001001',
  'Плательщик1=ООО «Копек»',
  'ПлательщикРасчСчет=40702810000000000001',
  'ПлательщикБанк1=АО «Демо-Банк»',
  'ПлательщикБИК=044525000',
  'ПлательщикКорсчет=30101810000000000000',
  'ПолучательСчет=40802810000000000002',
  'Получатель=ИП Иванов Иван',
  'ПолучательИНН=500100732259',
  'Получатель1=ИП Иванов Иван',
  'ПолучательРасчСчет=40802810000000000002',
  'ПолучательБИК=044525225',
  'ПолучательКорсчет=30101810400000000225',
  'ВидОплаты=01',
  'Очередность=5',
  'НазначениеПлатежа=Выплата pyt_2',
  'КонецДокумента',
  'КонецФайла',
];

describe('the 1C client-bank file', () => {
  it('has the header, a section per payment order and the end marker, with CRLF line ends', () => {
    const text = formatClientBankExchange(FILE);
    expect(text).toBe(EXPECTED.join('\r\n') + '\r\n');
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('is windows-1251: one byte per Cyrillic letter, « and » included', () => {
    const bytes = encodeClientBankExchange(FILE);
    const text = formatClientBankExchange(FILE);
    expect(bytes.length).toBe([...text].length);
    // "ВерсияФормата" starts the second line: В = 0xC2, е = 0xE5, р = 0xF0.
    const second = bytes.indexOf(Buffer.from('\r\n')) + 2;
    expect([...bytes.subarray(second, second + 3)]).toEqual([0xc2, 0xe5, 0xf0]);
    expect(bytes.includes(Buffer.from([0xab]))).toBe(true); // «
    expect(bytes.includes(Buffer.from([0xbb]))).toBe(true); // »
    expect(new TextDecoder('windows-1251').decode(bytes)).toBe(text);
    expect(bytes.subarray(-2).toString('latin1')).toBe('\r\n');
    // The exact bytes of one line: "Сумма=150000.50" CRLF.
    const line = Buffer.from([0xd1, 0xf3, 0xec, 0xec, 0xe0, ...Buffer.from('=150000.50\r\n', 'ascii')]);
    expect(bytes.includes(line)).toBe(true);
  });

  it('writes amounts as rubles with a dot and two decimals', () => {
    expect(clientBankAmount(1n)).toBe('0.01');
    expect(clientBankAmount(100n)).toBe('1.00');
    expect(clientBankAmount(10_000_000n)).toBe('100000.00');
    expect(clientBankAmount(123_456_789_012n)).toBe('1234567890.12');
    expect(() => clientBankAmount(0n)).toThrow();
  });

  it('keeps values on one line, in windows-1251, within their length', () => {
    expect(clientBankValue('Оплата\r\nпо\tдоговору  №1')).toBe('Оплата по договору №1');
    expect(clientBankValue('Магазин 🚀 «Ёлка»')).toBe('Магазин ? «Ёлка»');
    expect(clientBankValue('я'.repeat(300), 210)).toBe('я'.repeat(210));
    const long = formatClientBankExchange({
      ...FILE,
      orders: [{ ...FILE.orders[0]!, purpose: `${'ж'.repeat(205)} НДС не облагается` }],
    });
    const purpose = long.split('\r\n').find((line) => line.startsWith('НазначениеПлатежа='))!;
    expect(purpose.length).toBe('НазначениеПлатежа='.length + 210);
  });

  it('refuses an empty file', () => {
    expect(() => formatClientBankExchange({ ...FILE, orders: [] })).toThrow();
  });
});
