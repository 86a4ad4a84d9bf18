/**
 * Feedback and wishes: a merchant's person sends an idea, a problem, praise or anything else, with an
 * optional rating; the account sees its history with the status the operator gave each (received,
 * planned, done, declined) and the operator's answer, which also reaches the author's messages.
 */
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { consumeRateLimit, type RateLimitRule } from '../../platform/http/rate-limit.js';
import { createId } from '../../platform/ids.js';
import type { MerchantActor } from '../accounts/index.js';
import { recordAudit } from '../audit/index.js';
import { supportErrors, supportProblems } from './support.errors.js';
import { notifyFeedbackAnswer } from './support.notify.js';
import {
  withSupportTables,
  type FeedbackCategory,
  type FeedbackStatus,
  type SupportFeedbackTable,
} from './support.tables.js';
import type { DeskActor } from './support.desk.js';

export const MAX_FEEDBACK_LENGTH = 5000;
export const MAX_FEEDBACK_LIST = 100;
/** Feedback per account and hour: plenty for people, a stop for a script. */
export const FEEDBACK_LIMIT: RateLimitRule = { name: 'support-feedback', limit: 20, windowMs: 3_600_000 };

export interface FeedbackView {
  readonly id: string;
  readonly category: FeedbackCategory;
  readonly body: string;
  readonly rating: number | null;
  readonly status: FeedbackStatus;
  readonly answer: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DeskFeedbackView extends FeedbackView {
  readonly accountId: string;
  readonly accountLogin: string;
  readonly authorLogin: string;
}

type FeedbackRow = Omit<SupportFeedbackTable, never>;

function toFeedbackView(row: FeedbackRow): FeedbackView {
  return {
    id: row.id,
    category: row.category,
    body: row.body,
    rating: row.rating,
    status: row.status,
    answer: row.answer,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function requireFeedbackText(field: 'body' | 'answer', text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > MAX_FEEDBACK_LENGTH) {
    throw validationError({ [field]: { ...supportProblems.tooLong, values: { max: MAX_FEEDBACK_LENGTH } } });
  }
  return trimmed;
}

export async function submitFeedback(
  deps: Deps,
  actor: MerchantActor,
  input: { category: FeedbackCategory; body: string; rating?: number | null },
): Promise<FeedbackView> {
  const body = requireFeedbackText('body', input.body);
  if (body === '') throw validationError({ body: supportProblems.required });
  await consumeRateLimit(deps.db, deps.clock, FEEDBACK_LIMIT, actor.accountId);
  const now = deps.clock.now();
  const row = await withSupportTables(deps.db)
    .insertInto('support_feedback')
    .values({
      id: createId('fdb'),
      account_id: actor.accountId,
      author_user_id: actor.userId,
      category: input.category,
      body,
      rating: input.rating ?? null,
      status: 'received',
      answer: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toFeedbackView(row);
}

export async function listFeedback(deps: Deps, actor: MerchantActor): Promise<{ items: FeedbackView[] }> {
  const rows = await withSupportTables(deps.db)
    .selectFrom('support_feedback')
    .selectAll()
    .where('account_id', '=', actor.accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(MAX_FEEDBACK_LIST)
    .execute();
  return { items: rows.map(toFeedbackView) };
}

/** The operator's triage list: oldest first within a status, so nothing waits for ever. */
export async function listFeedbackQueue(
  deps: Deps,
  status: FeedbackStatus,
): Promise<{ items: DeskFeedbackView[] }> {
  const rows = await withSupportTables(deps.db)
    .selectFrom('support_feedback')
    .innerJoin('accounts', 'accounts.id', 'support_feedback.account_id')
    .innerJoin('users', 'users.id', 'support_feedback.author_user_id')
    .selectAll('support_feedback')
    .select(['accounts.login as account_login', 'users.login as author_login'])
    .where('support_feedback.status', '=', status)
    .orderBy('support_feedback.created_at')
    .orderBy('support_feedback.id')
    .limit(MAX_FEEDBACK_LIST * 2)
    .execute();
  return {
    items: rows.map((row) => ({
      ...toFeedbackView(row),
      accountId: row.account_id,
      accountLogin: row.account_login,
      authorLogin: row.author_login,
    })),
  };
}

/** The operator's decision on a piece of feedback; a non-empty answer goes to the author's messages. */
export async function setFeedbackStatus(
  deps: Deps,
  actor: DeskActor,
  feedbackId: string,
  input: { status: FeedbackStatus; answer?: string },
): Promise<FeedbackView> {
  const answer = requireFeedbackText('answer', input.answer ?? '');
  return deps.db.transaction().execute(async (trx) => {
    const support = withSupportTables(trx);
    const current = await support
      .selectFrom('support_feedback')
      .selectAll()
      .where('id', '=', feedbackId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw supportErrors.feedbackNotFound();
    const updated = await support
      .updateTable('support_feedback')
      .set({ status: input.status, answer: answer || current.answer, updated_at: deps.clock.now() })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, deps.clock, {
      accountId: current.account_id,
      actorUserId: actor.operatorUserId,
      action: 'support.feedback_status_changed',
      target: current.id,
      details: { from: current.status, to: input.status, hasAnswer: answer !== '' },
      ip: actor.ip,
    });
    if (answer !== '') {
      await notifyFeedbackAnswer(
        trx,
        deps,
        {
          id: current.id,
          accountId: current.account_id,
          authorUserId: current.author_user_id,
          status: input.status,
        },
        answer,
      );
    }
    return toFeedbackView(updated);
  });
}
