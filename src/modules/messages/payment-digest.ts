/**
 * The daily payment digest: after a Moscow day ends, every person who chose the digest gets one personal
 * message (and mail) summing up the live payments paid that day in their account, per shop and currency.
 * Nothing is sent for a day without payments. It reads the payments table directly, read-only.
 *
 * Exactly once per person and day: each digest message has the dedup key
 * `payments-digest:<day>:<userId>` (a unique column), so two nodes, or a run repeated after a failure,
 * post it once. When every account of the day went through, the day is recorded in message_digest_days
 * and later runs skip it without reading payments again. Only the day just ended is taken (from 00:15
 * Moscow time): a worker that was down for the whole next day does not send a stale digest.
 */
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import { formatMoneyForPeople, type Currency } from '../../platform/money.js';
import { canSeeCategory } from './message.categories.js';
import { listRecipients, postMessage } from './message.service.js';
import { withMessageTables } from './message.tables.js';

/** How often the worker looks for a finished day (cheap once the day is recorded). */
export const PAYMENT_DIGEST_INTERVAL_MS = 10 * 60_000;
/**
 * The digest of a day is made this long after its midnight, so a payment whose transaction was still
 * committing at midnight (its paid_at a moment before) is counted in its own day.
 */
export const PAYMENT_DIGEST_GRACE_MS = 15 * 60_000;
/** A digest lists at most this many shop lines; the totals still count every shop. */
const MAX_DIGEST_LINES = 50;
const DAY_MS = 86_400_000;

const moscowDateParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Moscow',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Moscow calendar date of an instant, 'YYYY-MM-DD'. */
export function moscowDate(instant: Date): string {
  const parts = Object.fromEntries(
    moscowDateParts.formatToParts(instant).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
}

/** 00:00 in Moscow on a date. Moscow has kept UTC+3 all year since 2014. */
function moscowMidnight(date: string): Date {
  return new Date(`${date}T00:00:00+03:00`);
}

interface ShopDayTotal {
  account_id: string;
  shop_name: string;
  currency: Currency;
  count: number;
  amount: string;
  fee: string;
}

function pluralRu(count: number, forms: readonly [string, string, string]): string {
  const tens = count % 100;
  const units = count % 10;
  if (tens >= 11 && tens <= 14) return forms[2];
  if (units === 1) return forms[0];
  if (units >= 2 && units <= 4) return forms[1];
  return forms[2];
}

function describeDay(date: string) {
  const instant = new Date(`${date}T12:00:00Z`);
  const format = (locale: string) =>
    new Intl.DateTimeFormat(locale, {
      timeZone: 'UTC',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    }).format(instant);
  return { ru: format('ru-RU'), en: format('en-GB') };
}

/** The digest's texts for one account's day. */
export function composeDigest(date: string, totals: readonly ShopDayTotal[]) {
  const day = describeDay(date);
  const line = (total: ShopDayTotal, language: 'ru' | 'en') => {
    const amount = formatMoneyForPeople(BigInt(total.amount), total.currency, language);
    const fee = formatMoneyForPeople(BigInt(total.fee), total.currency, language);
    return language === 'ru'
      ? `«${total.shop_name}»: ${total.count} ${pluralRu(total.count, ['платёж', 'платежа', 'платежей'])} на ${amount}, комиссия ${fee}`
      : `"${total.shop_name}": ${total.count} ${total.count === 1 ? 'payment' : 'payments'} of ${amount}, fee ${fee}`;
  };
  const sums = new Map<Currency, { count: number; amount: bigint }>();
  for (const total of totals) {
    const sum = sums.get(total.currency) ?? { count: 0, amount: 0n };
    sums.set(total.currency, { count: sum.count + total.count, amount: sum.amount + BigInt(total.amount) });
  }
  const summary = (language: 'ru' | 'en') =>
    [...sums]
      .map(([currency, sum]) => {
        const amount = formatMoneyForPeople(sum.amount, currency, language);
        return language === 'ru'
          ? `${sum.count} ${pluralRu(sum.count, ['платёж', 'платежа', 'платежей'])} на ${amount}`
          : `${sum.count} ${sum.count === 1 ? 'payment' : 'payments'} of ${amount}`;
      })
      .join(language === 'ru' ? '; ' : '; ');
  const lines = (language: 'ru' | 'en') => {
    const shown = totals.slice(0, MAX_DIGEST_LINES).map((total) => line(total, language));
    if (totals.length > MAX_DIGEST_LINES)
      shown.push(
        language === 'ru'
          ? `…и ещё ${totals.length - MAX_DIGEST_LINES}`
          : `…and ${totals.length - MAX_DIGEST_LINES} more`,
      );
    return shown.join('\n');
  };
  return {
    title: { ru: `Платежи за ${day.ru}`, en: `Payments on ${day.en}` },
    body: {
      ru: `Итого за ${day.ru} (по московскому времени): ${summary('ru')}.\n\n${lines('ru')}\n\nВ сводку входят оплаченные платежи, без тестовых.`,
      en: `In total on ${day.en} (Moscow time): ${summary('en')}.\n\n${lines('en')}\n\nThe digest counts paid payments, test payments excluded.`,
    },
  };
}

async function readDayTotals(
  deps: Pick<Deps, 'db'>,
  date: string,
  nextDate: string,
): Promise<ShopDayTotal[]> {
  // payments_live_paid_at_idx (paid_at, id) where not is_test and paid_at is not null serves this range.
  const result = await sql<ShopDayTotal>`
    select p.account_id, s.name as shop_name, p.currency, count(*)::int as count,
      sum(p.amount_minor)::text as amount, sum(p.fee_minor)::text as fee
    from payments p join shops s on s.id = p.shop_id
    where not p.is_test and p.paid_at is not null
      and p.paid_at >= ${moscowMidnight(date)} and p.paid_at < ${moscowMidnight(nextDate)}
    group by p.account_id, s.id, s.name, p.currency
    order by p.account_id, s.name, s.id, p.currency`.execute(deps.db);
  return result.rows;
}

/** One account's digests, in one transaction; returns how many messages were posted. */
async function postAccountDigests(
  deps: Deps,
  date: string,
  accountId: string,
  totals: readonly ShopDayTotal[],
): Promise<number> {
  const texts = composeDigest(date, totals);
  return deps.db.transaction().execute(async (trx) => {
    const recipients = (await listRecipients(withMessageTables(trx), accountId, 'payments')).filter(
      (recipient) => recipient.delivery === 'digest' && canSeeCategory(recipient.role, 'payments'),
    );
    let posted = 0;
    for (const recipient of recipients) {
      const message = await postMessage(trx, deps, {
        accountId,
        userId: recipient.id,
        category: 'payments',
        delivery: 'digest',
        ...texts,
        link: '/cabinet/operations',
        dedupKey: `payments-digest:${date}:${recipient.id}`,
      });
      if (message) posted += 1;
    }
    return posted;
  });
}

export interface DigestRunSummary {
  readonly day: string;
  readonly isAlreadyDone: boolean;
  readonly accounts: number;
  readonly messages: number;
  readonly failedAccounts: number;
}

/** The worker task: the digest of the Moscow day that ended last, once. */
export async function runPaymentDigests(deps: Deps): Promise<DigestRunSummary> {
  const today = moscowDate(new Date(deps.clock.now().getTime() - PAYMENT_DIGEST_GRACE_MS));
  const day = previousDate(today);
  const db = withMessageTables(deps.db);
  const done = await db
    .selectFrom('message_digest_days')
    .select('day')
    .where('day', '=', day)
    .executeTakeFirst();
  if (done) return { day, isAlreadyDone: true, accounts: 0, messages: 0, failedAccounts: 0 };
  const byAccount = new Map<string, ShopDayTotal[]>();
  for (const total of await readDayTotals(deps, day, today)) {
    byAccount.set(total.account_id, [...(byAccount.get(total.account_id) ?? []), total]);
  }
  let messages = 0;
  let failedAccounts = 0;
  for (const [accountId, totals] of byAccount) {
    try {
      messages += await postAccountDigests(deps, day, accountId, totals);
    } catch (error) {
      // One account's failure must not hold up the others; the day stays open and is tried again.
      failedAccounts += 1;
      deps.logger.error({ err: error, accountId, day }, 'payment digest failed for an account');
    }
  }
  if (failedAccounts === 0) {
    await db
      .insertInto('message_digest_days')
      .values({ day, finished_at: deps.clock.now() })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }
  return { day, isAlreadyDone: false, accounts: byAccount.size, messages, failedAccounts };
}
