/**
 * Renders the four documents as PDF (pdfkit, DejaVu Sans embedded from assets/fonts so Cyrillic prints
 * on any machine) and, where tables matter (the agent's report, the reconciliation statement), as XLSX.
 * Each document is described once as a layout (title, parties, table, totals, words) and drawn from it,
 * so the PDF and the XLSX say the same thing.
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { projectRoot } from '../../platform/paths.js';
import type { PeriodFigures, DocumentPeriod } from './document.figures.js';
import type { DocumentSettings, PartyRequisites } from './document.parties.js';
import type { DocumentKind } from './document.tables.js';
import { formatDate, formatRubles, rublesInWords } from './document.words.js';

const FONT_REGULAR = path.join(projectRoot, 'assets', 'fonts', 'DejaVuSans.ttf');
const FONT_BOLD = path.join(projectRoot, 'assets', 'fonts', 'DejaVuSans-Bold.ttf');

export interface DocumentInput {
  readonly kind: DocumentKind;
  readonly number: string;
  readonly issuedOn: string;
  readonly period: DocumentPeriod;
  readonly figures: PeriodFigures;
  readonly merchant: PartyRequisites;
  readonly settings: DocumentSettings;
}

interface Layout {
  readonly title: string;
  readonly preamble: string;
  readonly columns: readonly [string, string];
  readonly rows: readonly (readonly [string, bigint])[];
  readonly total: readonly [string, bigint];
  readonly vatLine: string;
  readonly words: string | null;
}

function periodText(period: DocumentPeriod): string {
  return `с ${formatDate(period.start)} по ${formatDate(period.end)}`;
}

function vatLine(settings: DocumentSettings, amountMinor: bigint): string {
  if (settings.vatRatePercent === null) return 'Без НДС';
  const rate = BigInt(settings.vatRatePercent);
  // VAT included in the amount: amount × rate / (100 + rate), rounded half up to the kopeck.
  const vat = (amountMinor * rate * 2n + (100n + rate)) / ((100n + rate) * 2n);
  return `В том числе НДС ${settings.vatRatePercent}%: ${formatRubles(vat)}`;
}

function layoutOf(input: DocumentInput): Layout {
  const { figures, period, settings, number, issuedOn } = input;
  // Names are printed as registered (they carry their own «ёлочки», e.g. ООО «Книжная лавка»).
  const operator = settings.operator.name;
  const merchant = input.merchant.name;
  const netMinor = figures.acceptedMinor - figures.refundedMinor - figures.commissionMinor;
  switch (input.kind) {
    case 'agent_report':
      return {
        title: `Отчёт агента № ${number} от ${formatDate(issuedOn)}`,
        preamble: `Агент ${operator} отчитывается перед принципалом ${merchant} о платежах, принятых от его покупателей за период ${periodText(period)}.`,
        columns: ['Показатель', 'Сумма'],
        rows: [
          [`Принято платежей (${figures.acceptedCount})`, figures.acceptedMinor],
          [`Возвращено покупателям (${figures.refundCount})`, figures.refundedMinor],
          ['Вознаграждение агента', figures.commissionMinor],
          [`Перечислено принципалу (${figures.payoutCount})`, figures.paidOutMinor],
        ],
        total: ['Причитается принципалу за период', netMinor],
        vatLine: `Вознаграждение агента: ${vatLine(settings, figures.commissionMinor)}`,
        words: null,
      };
    case 'act':
      return {
        title: `Акт № ${number} от ${formatDate(issuedOn)}`,
        preamble: `Исполнитель ${operator} оказал заказчику ${merchant} услуги по приёму платежей за период ${periodText(period)}. Услуги оказаны полностью и в срок; заказчик претензий по объёму, качеству и срокам не имеет.`,
        columns: ['Услуга', 'Сумма'],
        rows: [[`Агентское вознаграждение за приём платежей ${periodText(period)}`, figures.commissionMinor]],
        total: ['Итого', figures.commissionMinor],
        vatLine: vatLine(settings, figures.commissionMinor),
        words: `Всего оказано услуг на сумму: ${rublesInWords(figures.commissionMinor)}`,
      };
    case 'reconciliation':
      return {
        title: `Акт сверки взаимных расчётов № ${number}`,
        preamble: `Мы, нижеподписавшиеся, ${operator} и ${merchant}, составили акт сверки расчётов за период ${periodText(period)}.`,
        columns: ['Операция', 'Сумма'],
        rows: [
          [`Сальдо на ${formatDate(period.start)} (задолженность ${operator})`, figures.openingBalanceMinor],
          ['Принято платежей в пользу принципала', figures.acceptedMinor],
          ['Возвращено покупателям', -figures.refundedMinor],
          ['Удержано вознаграждение агента', -figures.commissionMinor],
          ['Перечислено принципалу', -figures.paidOutMinor],
        ],
        total: [
          `Сальдо на ${formatDate(period.end)} (задолженность ${operator})`,
          figures.closingBalanceMinor,
        ],
        vatLine: vatLine(settings, figures.commissionMinor),
        words: null,
      };
    case 'invoice':
      return {
        title: `Счёт № ${number} от ${formatDate(issuedOn)}`,
        preamble: `Поставщик ${operator}, покупатель ${merchant}. Вознаграждение удержано из принятых платежей; счёт выставлен для учёта.`,
        columns: ['Наименование', 'Сумма'],
        rows: [[`Агентское вознаграждение за период ${periodText(period)}`, figures.commissionMinor]],
        total: ['Итого к оплате', figures.commissionMinor],
        vatLine: vatLine(settings, figures.commissionMinor),
        words: `Всего наименований 1 на сумму ${formatRubles(figures.commissionMinor)}. ${rublesInWords(figures.commissionMinor)}`,
      };
  }
}

function requisitesText(role: string, party: PartyRequisites): string {
  const parts = [`${role}: ${party.name}`, `ИНН ${party.inn}`];
  if (party.kpp) parts.push(`КПП ${party.kpp}`);
  if (party.ogrn) parts.push(`ОГРН ${party.ogrn}`);
  if (party.address) parts.push(party.address);
  if (party.settlementAccount) parts.push(`р/с ${party.settlementAccount}`);
  if (party.bankName) parts.push(party.bankName);
  if (party.bik) parts.push(`БИК ${party.bik}`);
  if (party.correspondentAccount) parts.push(`к/с ${party.correspondentAccount}`);
  return parts.join(', ');
}

function collect(document: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
}

export async function renderPdf(input: DocumentInput): Promise<Buffer> {
  const layout = layoutOf(input);
  const document = new PDFDocument({ size: 'A4', margin: 50, info: { Title: layout.title } });
  const done = collect(document);
  document.registerFont('regular', FONT_REGULAR);
  document.registerFont('bold', FONT_BOLD);
  document.font('bold').fontSize(14).text(layout.title, { align: 'center' }).moveDown();
  document.font('regular').fontSize(9);
  document.text(requisitesText('Исполнитель (агент)', input.settings.operator)).moveDown(0.5);
  document.text(requisitesText('Заказчик (принципал)', input.merchant)).moveDown();
  document.fontSize(10).text(layout.preamble).moveDown();
  const left = document.page.margins.left;
  const amountX = 400;
  const drawRow = (label: string, amount: string, font: 'regular' | 'bold') => {
    const y = document.y;
    document.font(font).text(label, left, y, { width: amountX - left - 10 });
    const after = document.y;
    document.text(amount, amountX, y, { width: 145, align: 'right' });
    document.y = Math.max(after, document.y) + 4;
  };
  drawRow(layout.columns[0], layout.columns[1], 'bold');
  for (const [label, amount] of layout.rows) drawRow(label, formatRubles(amount), 'regular');
  drawRow(layout.total[0], formatRubles(layout.total[1]), 'bold');
  document.x = left;
  document.font('regular').moveDown().text(layout.vatLine);
  if (layout.words) document.moveDown(0.5).font('bold').text(layout.words);
  document.moveDown(3).font('regular');
  document.text('От исполнителя ____________________        От заказчика ____________________');
  document.end();
  return done;
}

/** XLSX for the documents whose tables matter; null for the act and the invoice. */
export async function renderXlsx(input: DocumentInput): Promise<Buffer | null> {
  if (input.kind !== 'agent_report' && input.kind !== 'reconciliation') return null;
  const layout = layoutOf(input);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(input.kind === 'agent_report' ? 'Отчёт агента' : 'Акт сверки');
  sheet.columns = [{ width: 70 }, { width: 20 }];
  sheet.addRow([layout.title]).font = { bold: true };
  sheet.addRow([layout.preamble]);
  sheet.addRow([]);
  sheet.addRow([...layout.columns]).font = { bold: true };
  const money = '#,##0.00';
  for (const [label, amount] of layout.rows) {
    sheet.addRow([label, Number(amount) / 100]).getCell(2).numFmt = money;
  }
  const total = sheet.addRow([layout.total[0], Number(layout.total[1]) / 100]);
  total.font = { bold: true };
  total.getCell(2).numFmt = money;
  sheet.addRow([layout.vatLine]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
