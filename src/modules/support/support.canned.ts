/**
 * Canned answers: texts the support desk keeps for frequent questions. An agent picks one in a ticket,
 * it fills the reply box in the ticket author's language, and the agent edits it before sending; nothing
 * is sent from here. Support agents and administrators manage the list; every change is audited.
 */
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import { recordAudit } from '../audit/index.js';
import { supportErrors, supportProblems } from './support.errors.js';
import { MAX_POST_LENGTH } from './support.service.js';
import { withSupportTables, type SupportCannedAnswersTable, type TicketTopic } from './support.tables.js';
import type { DeskActor } from './support.desk.js';

export const MAX_CANNED_TITLE_LENGTH = 200;
/** A safety bound for the picker; a desk keeps tens of answers, not thousands. */
export const MAX_CANNED_ANSWERS = 1000;

export interface CannedAnswerInput {
  readonly title: string;
  readonly bodyRu?: string | null;
  readonly bodyEn?: string | null;
  readonly category?: TicketTopic | null;
}

export interface CannedAnswerView {
  readonly id: string;
  readonly title: string;
  readonly bodyRu: string | null;
  readonly bodyEn: string | null;
  readonly category: TicketTopic | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function toCannedAnswerView(row: SupportCannedAnswersTable): CannedAnswerView {
  return {
    id: row.id,
    title: row.title,
    bodyRu: row.body_ru,
    bodyEn: row.body_en,
    category: row.category,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Trimmed fields, every problem at once; an empty body is "no text in that language". */
function cleanInput(input: CannedAnswerInput) {
  const fields: Record<string, FieldProblem> = {};
  const title = input.title.trim();
  if (title === '') fields.title = supportProblems.required;
  else if (title.length > MAX_CANNED_TITLE_LENGTH) {
    fields.title = { ...supportProblems.tooLong, values: { max: MAX_CANNED_TITLE_LENGTH } };
  }
  const bodies = { bodyRu: input.bodyRu?.trim() || null, bodyEn: input.bodyEn?.trim() || null };
  for (const [field, body] of Object.entries(bodies)) {
    if (body !== null && body.length > MAX_POST_LENGTH) {
      fields[field] = { ...supportProblems.tooLong, values: { max: MAX_POST_LENGTH } };
    }
  }
  if (bodies.bodyRu === null && bodies.bodyEn === null) fields.bodyRu = supportProblems.bodyInSomeLanguage;
  if (Object.keys(fields).length > 0) throw validationError(fields);
  return { title, body_ru: bodies.bodyRu, body_en: bodies.bodyEn, category: input.category ?? null };
}

/** A second answer with the same title (two agents racing included) is the title field's problem. */
async function refuseTakenTitle<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, 'support_canned_answers_title_key')) {
      throw validationError({ title: supportProblems.titleTaken });
    }
    throw error;
  }
}

export async function listCannedAnswers(deps: Deps): Promise<{ items: CannedAnswerView[] }> {
  const rows = await withSupportTables(deps.db)
    .selectFrom('support_canned_answers')
    .selectAll()
    .orderBy((eb) => eb.fn('lower', ['title']))
    .orderBy('id')
    .limit(MAX_CANNED_ANSWERS)
    .execute();
  return { items: rows.map(toCannedAnswerView) };
}

export async function createCannedAnswer(
  deps: Deps,
  actor: DeskActor,
  input: CannedAnswerInput,
): Promise<CannedAnswerView> {
  const values = cleanInput(input);
  const now = deps.clock.now();
  return refuseTakenTitle(() =>
    deps.db.transaction().execute(async (trx) => {
      const row = await withSupportTables(trx)
        .insertInto('support_canned_answers')
        .values({
          id: createId('cna'),
          ...values,
          created_by: actor.operatorUserId,
          updated_by: actor.operatorUserId,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await auditCannedAnswer(deps, trx, actor, 'support.canned_answer_created', row);
      return toCannedAnswerView(row);
    }),
  );
}

export async function updateCannedAnswer(
  deps: Deps,
  actor: DeskActor,
  answerId: string,
  input: CannedAnswerInput,
): Promise<CannedAnswerView> {
  const values = cleanInput(input);
  return refuseTakenTitle(() =>
    deps.db.transaction().execute(async (trx) => {
      const row = await withSupportTables(trx)
        .updateTable('support_canned_answers')
        .set({ ...values, updated_by: actor.operatorUserId, updated_at: deps.clock.now() })
        .where('id', '=', answerId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw supportErrors.cannedAnswerNotFound();
      await auditCannedAnswer(deps, trx, actor, 'support.canned_answer_updated', row);
      return toCannedAnswerView(row);
    }),
  );
}

export async function deleteCannedAnswer(deps: Deps, actor: DeskActor, answerId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await withSupportTables(trx)
      .deleteFrom('support_canned_answers')
      .where('id', '=', answerId)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw supportErrors.cannedAnswerNotFound();
    await auditCannedAnswer(deps, trx, actor, 'support.canned_answer_deleted', row);
  });
}

/** Canned answers belong to no merchant account: the entry has the operator and the title only. */
async function auditCannedAnswer(
  deps: Deps,
  trx: Parameters<typeof recordAudit>[0],
  actor: DeskActor,
  action: string,
  row: SupportCannedAnswersTable,
): Promise<void> {
  await recordAudit(trx, deps.clock, {
    accountId: null,
    actorUserId: actor.operatorUserId,
    action,
    target: row.id,
    details: { title: row.title },
    ip: actor.ip,
  });
}
