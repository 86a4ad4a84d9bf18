/**
 * The entries of one shop account as a CSV file for spreadsheets (the conventions of platform/csv.ts):
 * - amounts in minor-unit exactness with a dot ("1490.50", "-9.00"), the same as the API answers;
 * - the header row in the requested language; newest entry first, like the cabinet's table.
 * At most MAX_CSV_ROWS rows. All rows are read in one repeatable-read transaction, so the balances
 * after each entry agree with each other even while payments keep arriving.
 */
import { sql, type Kysely } from 'kysely';
import {
  CSV_BYTE_ORDER_MARK,
  CSV_LINE_END,
  CSV_SEPARATOR,
  csvField,
  csvText,
  formatMoscowTime,
} from '../../platform/csv.js';
import type { Language } from '../../platform/i18n.js';
import { formatMinor, type Currency } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { shopAccount } from '../ledger/index.js';
import type { BalanceShop, ShopPurpose } from './balance.queries.js';

export const MAX_CSV_ROWS = 100_000;
const CSV_CHUNK_ROWS = 5_000;

const HEADER: Record<Language, readonly string[]> = {
  ru: ['Дата и время (МСК)', 'Операция', 'Платёж', 'InvId', 'Сумма', 'Остаток после', 'Валюта'],
  en: ['Date and time (Moscow)', 'Operation', 'Payment', 'InvId', 'Amount', 'Balance after', 'Currency'],
};

/** Names of transfer kinds; an unknown kind is written as its code. */
const KIND_NAMES: Record<string, Record<Language, string>> = {
  payment: { ru: 'Оплата покупателя', en: 'Payment' },
  settlement: { ru: 'Зачисление в доступные к выплате', en: 'Settlement to available' },
  refund: { ru: 'Возврат покупателю', en: 'Refund' },
  payout: { ru: 'Выплата', en: 'Payout' },
};

export function transferKindName(kind: string, language: Language): string {
  return KIND_NAMES[kind]?.[language] ?? kind;
}

interface CsvEntryRow {
  id: bigint;
  created_at: Date;
  kind: string;
  reference: string | null;
  inv_id: bigint | null;
  amount_minor: bigint;
}

export async function buildBalanceEntriesCsv(
  db: Kysely<Database>,
  shop: BalanceShop,
  currency: Currency,
  filter: { account: ShopPurpose; before?: bigint | undefined },
  language: Language,
): Promise<string> {
  const accountId = shopAccount(shop.id, filter.account, currency).id;
  const lines = [HEADER[language].map(csvField).join(CSV_SEPARATOR)];
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      let cursor = filter.before === undefined ? null : String(filter.before);
      const start = await sql<{ total: string }>`
        select (-ledger_balance_up_to(${accountId},
          coalesce(${cursor}::bigint - 1, 9223372036854775807)))::text as total`.execute(trx);
      // The balance after the newest entry is the sum of every entry up to it; each older entry's is the
      // newer one's less the newer entry's amount.
      let balanceMinor = BigInt(start.rows[0]?.total ?? '0');
      for (let written = 0; written < MAX_CSV_ROWS;) {
        const chunk = await sql<CsvEntryRow>`
          select e.id, e.created_at, t.kind, t.reference, p.inv_id, e.amount_minor
          from ledger_entries e
          join ledger_transfers t on t.id = e.transfer_id
          left join payments p on p.id = t.reference and p.shop_id = ${shop.id}
          where e.account_id = ${accountId} and (${cursor}::bigint is null or e.id < ${cursor}::bigint)
          order by e.id desc
          limit ${Math.min(CSV_CHUNK_ROWS, MAX_CSV_ROWS - written)}`.execute(trx);
        for (const row of chunk.rows) {
          const amountMinor = -row.amount_minor;
          lines.push(
            [
              formatMoscowTime(row.created_at),
              csvText(transferKindName(row.kind, language)),
              csvText(row.reference ?? ''),
              row.inv_id === null ? '' : String(row.inv_id),
              formatMinor(amountMinor, currency),
              formatMinor(balanceMinor, currency),
              currency,
            ].join(CSV_SEPARATOR),
          );
          balanceMinor -= amountMinor;
        }
        written += chunk.rows.length;
        const last = chunk.rows.at(-1);
        if (!last || chunk.rows.length < CSV_CHUNK_ROWS) break;
        cursor = String(last.id);
      }
    });
  return CSV_BYTE_ORDER_MARK + lines.join(CSV_LINE_END) + CSV_LINE_END;
}
