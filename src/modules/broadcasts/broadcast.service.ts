/**
 * Broadcasts: the operator writes a news item or an announcement of changes in payments (tariffs,
 * methods, limits) in Russian and English, to every merchant or to chosen accounts. Creating it stores
 * the broadcast and enqueues its sending job in one transaction; the job walks the accounts in batches by
 * id and posts one message to each through the messages module, which mails the people subscribed to the
 * category (news is off until a person turns it on). Each message carries a dedup key per broadcast and
 * account, so a retried job never posts twice.
 */
import { sql, type Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob, type JobHandler } from '../../platform/jobs.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { postMessage } from '../messages/index.js';

export const BROADCAST_QUEUE = 'broadcasts.send';
export const BROADCAST_CATEGORIES = ['news', 'payment_changes'] as const;
export type BroadcastCategory = (typeof BROADCAST_CATEGORIES)[number];
const BATCH_SIZE = 200;
const MAX_TITLE = 200;
const MAX_BODY = 10_000;
const MAX_CHOSEN_ACCOUNTS = 1_000;

export interface BroadcastInput {
  readonly category: BroadcastCategory;
  readonly title: { ru: string; en: string };
  readonly body: { ru: string; en: string };
  /** Account logins or ids; absent or empty: every account. */
  readonly accounts?: readonly string[] | undefined;
}

export interface BroadcastView {
  readonly id: string;
  readonly category: BroadcastCategory;
  readonly title: { ru: string; en: string };
  readonly audience: 'all' | 'chosen';
  readonly status: 'sending' | 'sent';
  readonly accountsTotal: number;
  readonly accountsDone: number;
  readonly mailsEnqueued: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

const problem = (code: string, ru: string, en: string, values?: Record<string, string | number>) =>
  ({ code, text: { ru, en }, ...(values ? { values } : {}) }) satisfies FieldProblem;

function checkTexts(input: BroadcastInput): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  for (const language of ['ru', 'en'] as const) {
    const title = input.title[language].trim();
    const body = input.body[language].trim();
    if (title.length === 0 || title.length > MAX_TITLE)
      problems[`title.${language}`] = problem(
        'invalid_length',
        'Заголовок от 1 до {max} символов.',
        'A title of 1 to {max} characters.',
        { max: MAX_TITLE },
      );
    if (body.length === 0 || body.length > MAX_BODY)
      problems[`body.${language}`] = problem(
        'invalid_length',
        'Текст от 1 до {max} символов.',
        'A text of 1 to {max} characters.',
        { max: MAX_BODY },
      );
  }
  return problems;
}

/** The chosen accounts' ids; every unknown login or id is named in one field error. */
async function resolveAccounts(db: Kysely<Database>, names: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(names.map((name) => name.trim()).filter(Boolean))];
  if (wanted.length > MAX_CHOSEN_ACCOUNTS)
    throw validationError({
      accounts: problem('too_many', 'Не больше {max} аккаунтов.', 'At most {max} accounts.', {
        max: MAX_CHOSEN_ACCOUNTS,
      }),
    });
  const lowered = wanted.map((name) => name.toLowerCase());
  const found = await sql<{ id: string; login: string }>`
    select id, login from accounts where id = any(${wanted}) or lower(login) = any(${lowered})`.execute(db);
  const known = new Set(found.rows.flatMap((row) => [row.id, row.login.toLowerCase()]));
  const unknown = wanted.filter((name) => !known.has(name) && !known.has(name.toLowerCase()));
  if (unknown.length > 0) {
    throw validationError({
      accounts: problem('unknown_accounts', 'Нет таких аккаунтов: {names}.', 'No such accounts: {names}.', {
        names: unknown.slice(0, 10).join(', '),
      }),
    });
  }
  return [...new Set(found.rows.map((row) => row.id))];
}

export async function createBroadcast(
  deps: Deps,
  operator: { userId: string; ip: string },
  input: BroadcastInput,
): Promise<BroadcastView> {
  const problems = checkTexts(input);
  if (Object.keys(problems).length > 0) throw validationError(problems);
  const chosen =
    input.accounts && input.accounts.length > 0 ? await resolveAccounts(deps.db, input.accounts) : null;
  const id = createId('brd');
  await deps.db.transaction().execute(async (trx) => {
    const total = chosen
      ? chosen.length
      : Number(
          (await sql<{ n: string }>`select count(*)::text as n from accounts`.execute(trx)).rows[0]?.n ?? 0,
        );
    await sql`
      insert into broadcasts (id, category, title_ru, title_en, body_ru, body_en, account_ids, status,
        accounts_total, created_by, created_at)
      values (${id}, ${input.category}, ${input.title.ru.trim()}, ${input.title.en.trim()}, ${input.body.ru.trim()},
        ${input.body.en.trim()}, ${chosen}, 'sending', ${total}, ${operator.userId}, ${deps.clock.now()})`.execute(
      trx,
    );
    await enqueueJob(trx, deps.clock, { queue: BROADCAST_QUEUE, payload: { broadcastId: id } });
    await recordAudit(trx, deps.clock, {
      accountId: null,
      actorUserId: operator.userId,
      action: 'broadcast.created',
      target: id,
      details: { category: input.category, audience: chosen ? chosen.length : 'all' },
      ip: operator.ip,
    });
  });
  return (await listBroadcasts(deps.db)).find((item) => item.id === id) as BroadcastView;
}

interface BroadcastRow {
  id: string;
  category: BroadcastCategory;
  title_ru: string;
  title_en: string;
  body_ru: string;
  body_en: string;
  account_ids: string[] | null;
  status: 'sending' | 'sent';
  accounts_total: number;
  accounts_done: number;
  mails_enqueued: number;
  created_at: Date;
  finished_at: Date | null;
}

export async function listBroadcasts(db: Kysely<Database>): Promise<BroadcastView[]> {
  const result =
    await sql<BroadcastRow>`select * from broadcasts order by created_at desc, id limit 100`.execute(db);
  return result.rows.map((row) => ({
    id: row.id,
    category: row.category,
    title: { ru: row.title_ru, en: row.title_en },
    audience: row.account_ids ? 'chosen' : 'all',
    status: row.status,
    accountsTotal: row.accounts_total,
    accountsDone: row.accounts_done,
    mailsEnqueued: row.mails_enqueued,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  }));
}

/** Posts the broadcast to the next batch of accounts (by id) after `afterId`; returns the last id or null. */
async function sendBatch(deps: Deps, broadcast: BroadcastRow, afterId: string): Promise<string | null> {
  return deps.db.transaction().execute(async (trx) => {
    const accounts = await sql<{ id: string }>`
      select id from accounts
      where id > ${afterId} and (${broadcast.account_ids}::text[] is null or id = any(${broadcast.account_ids}::text[]))
      order by id limit ${BATCH_SIZE}`.execute(trx);
    let mails = 0;
    for (const account of accounts.rows) {
      const posted = await postMessage(trx, deps, {
        accountId: account.id,
        category: broadcast.category,
        title: { ru: broadcast.title_ru, en: broadcast.title_en },
        body: { ru: broadcast.body_ru, en: broadcast.body_en },
        dedupKey: `broadcast:${broadcast.id}:${account.id}`,
      });
      mails += posted?.mailedUserIds.length ?? 0;
    }
    const last = accounts.rows.at(-1)?.id ?? null;
    await sql`update broadcasts set accounts_done = accounts_done + ${accounts.rows.length},
        mails_enqueued = mails_enqueued + ${mails}
      where id = ${broadcast.id}`.execute(trx);
    return accounts.rows.length < BATCH_SIZE ? null : last;
  });
}

export function createBroadcastHandler(deps: Deps): JobHandler {
  return async (payload) => {
    const broadcastId = (payload as { broadcastId?: unknown }).broadcastId;
    if (typeof broadcastId !== 'string') throw new Error('broadcasts.send: payload without broadcastId');
    const found = await sql<BroadcastRow>`select * from broadcasts where id = ${broadcastId}`.execute(
      deps.db,
    );
    const broadcast = found.rows[0];
    if (!broadcast || broadcast.status === 'sent') return;
    // A retry starts over: the dedup keys make the accounts already done a no-op (and mail nobody again,
    // so the mails counted before stay counted), and the accounts are counted from zero.
    await sql`update broadcasts set accounts_done = 0 where id = ${broadcastId}`.execute(deps.db);
    let cursor: string | null = '';
    while (cursor !== null) cursor = await sendBatch(deps, broadcast, cursor);
    await sql`update broadcasts set status = 'sent', finished_at = ${deps.clock.now()} where id = ${broadcastId}`.execute(
      deps.db,
    );
  };
}
