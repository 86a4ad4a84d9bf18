/**
 * The notice of a tariff change (or of its cancellation): one message per affected account through the
 * messages module (category payment_changes: in the inbox of those who see shops, mailed to everyone
 * subscribed, which is everyone until they turn it off). The job walks the accounts in batches by id;
 * each message carries a dedup key per change, notice and account, so a retried job never posts twice.
 * Affected accounts: the shop's account for a shop's tariff; for the default tariff every account with a
 * shop that has no tariff of its own for the group at the change's start.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { JobHandler } from '../../platform/jobs.js';
import type { Currency } from '../../platform/money.js';
import type { Database, TariffsTable } from '../../schema.js';
import { moscowDay, moscowMidnight } from '../balances/index.js';
import { postMessage } from '../messages/index.js';
import { listPaymentMethods } from '../methods/index.js';
import { describeTerms } from './tariff-terms.js';
import { findTariff, type Tariff } from './tariff.service.js';

const BATCH_SIZE = 200;
type TariffRow = Selectable<TariffsTable>;
export type TariffNotice = 'scheduled' | 'cancelled';

interface NoticeSubject {
  readonly row: TariffRow;
  readonly notice: TariffNotice;
  readonly shopName: string | null;
  /** What applies just before the change's start without it. */
  readonly previous: Tariff;
}

interface AffectedAccount {
  id: string;
  currency: Currency;
}

type Pair = { ru: string; en: string };

function formatStart(start: Date): Pair {
  const atMidnight = moscowMidnight(moscowDay(start)).getTime() === start.getTime();
  const format = (locale: string) =>
    new Intl.DateTimeFormat(locale, {
      dateStyle: 'long',
      ...(atMidnight ? {} : { timeStyle: 'short' }),
      timeZone: 'Europe/Moscow',
    }).format(start);
  return { ru: format('ru-RU'), en: format('en-GB') };
}

function groupName(code: string): Pair {
  return listPaymentMethods().find((group) => group.code === code)?.description ?? { ru: code, en: code };
}

function toTerms(row: TariffRow): Tariff {
  return {
    percentBasisPoints: row.percent_basis_points,
    fixedMinor: row.fixed_minor,
    minimumMinor: row.minimum_minor,
  };
}

/** The message's title and body for one account (the amounts are in the account's currency). */
export function noticeTexts(subject: NoticeSubject, currency: Currency): { title: Pair; body: Pair } {
  const date = formatStart(subject.row.effective_from);
  const group = groupName(subject.row.method_group);
  const next = (language: 'ru' | 'en') => describeTerms(toTerms(subject.row), currency, language);
  const previous = (language: 'ru' | 'en') => describeTerms(subject.previous, currency, language);
  const shop = subject.shopName;
  const where = {
    ru: shop ? `в магазине «${shop}»` : 'в ваших магазинах без индивидуального тарифа',
    en: shop ? `in the shop "${shop}"` : 'in your shops without a tariff of their own',
  };
  if (subject.notice === 'cancelled') {
    return {
      title: {
        ru: `Изменение тарифа с ${date.ru} отменено`,
        en: `The tariff change of ${date.en} is cancelled`,
      },
      body: {
        ru: `Изменение комиссии за платежи способом «${group.ru}» ${where.ru}, запланированное с ${date.ru} (${next('ru')}), отменено. Действует прежний тариф: ${previous('ru')}.`,
        en: `The change of the fee for ${group.en} payments ${where.en}, planned from ${date.en} (${next('en')}), is cancelled. The current tariff stays: ${previous('en')}.`,
      },
    };
  }
  return {
    title: {
      ru: `Тариф на «${group.ru}» меняется с ${date.ru}`,
      en: `The fee for ${group.en} changes from ${date.en}`,
    },
    body: {
      ru: `С ${date.ru} комиссия Kopek за платежи способом «${group.ru}» ${where.ru} составит ${next('ru')}. До этого действует ${previous('ru')}.`,
      en: `From ${date.en} Kopek's fee for ${group.en} payments ${where.en} will be ${next('en')}. Until then it is ${previous('en')}.`,
    },
  };
}

async function affectedAccounts(
  trx: Transaction<Database>,
  row: TariffRow,
  afterId: string,
): Promise<AffectedAccount[]> {
  const result = row.shop_id
    ? await sql<AffectedAccount>`
        select a.id, a.currency from shops s join accounts a on a.id = s.account_id
        where s.id = ${row.shop_id} and a.id > ${afterId}`.execute(trx)
    : await sql<AffectedAccount>`
        select a.id, a.currency from accounts a
        where a.id > ${afterId} and exists (
          select 1 from shops s where s.account_id = a.id and not exists (
            select 1 from tariffs own where own.shop_id = s.id and own.method_group = ${row.method_group}
              and own.cancelled_at is null and own.effective_from <= ${row.effective_from}))
        order by a.id limit ${BATCH_SIZE}`.execute(trx);
  return result.rows;
}

/** Posts the notice to the next batch of accounts after `afterId`; returns the last id, or null at the end. */
async function noticeBatch(deps: Deps, subject: NoticeSubject, afterId: string): Promise<string | null> {
  return deps.db.transaction().execute(async (trx) => {
    const accounts = await affectedAccounts(trx, subject.row, afterId);
    for (const account of accounts) {
      await postMessage(trx, deps, {
        accountId: account.id,
        category: 'payment_changes',
        ...noticeTexts(subject, account.currency),
        link: subject.row.shop_id ? `/cabinet/shops/${subject.row.shop_id}` : '/cabinet/shops',
        dedupKey: `tariff:${subject.row.id}:${subject.notice}:${account.id}`,
      });
    }
    if (subject.notice === 'scheduled')
      await sql`update tariffs set accounts_notified = accounts_notified + ${accounts.length}
        where id = ${subject.row.id}`.execute(trx);
    return accounts.length < BATCH_SIZE ? null : (accounts.at(-1)?.id ?? null);
  });
}

async function loadSubject(
  deps: Deps,
  tariffId: string,
  notice: TariffNotice,
): Promise<NoticeSubject | null> {
  const row = await deps.db.selectFrom('tariffs').selectAll().where('id', '=', tariffId).executeTakeFirst();
  // A change cancelled before its notice went out is never announced.
  if (!row || (notice === 'scheduled' && row.cancelled_at)) return null;
  const shop = row.shop_id
    ? await deps.db.selectFrom('shops').select('name').where('id', '=', row.shop_id).executeTakeFirst()
    : undefined;
  const previous = await findTariff(
    deps.db,
    row.shop_id ?? '',
    row.method_group,
    new Date(row.effective_from.getTime() - 1),
  );
  return { row, notice, shopName: shop?.name ?? null, previous };
}

export function createTariffNoticeHandler(deps: Deps): JobHandler {
  return async (payload) => {
    const { tariffId, notice } = payload as { tariffId?: unknown; notice?: unknown };
    if (typeof tariffId !== 'string' || (notice !== 'scheduled' && notice !== 'cancelled'))
      throw new Error('tariffs.notify: payload without tariffId or notice');
    const subject = await loadSubject(deps, tariffId, notice);
    if (!subject) return;
    // A retry starts over: the dedup keys make the accounts already told a no-op, and they are counted
    // again from zero.
    if (notice === 'scheduled')
      await deps.db.updateTable('tariffs').set({ accounts_notified: 0 }).where('id', '=', tariffId).execute();
    let cursor: string | null = '';
    while (cursor !== null) cursor = await noticeBatch(deps, subject, cursor);
    if (notice === 'scheduled')
      await deps.db
        .updateTable('tariffs')
        .set({ notified_at: deps.clock.now() })
        .where('id', '=', tariffId)
        .execute();
  };
}
