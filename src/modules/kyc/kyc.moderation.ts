/**
 * The operator's side of the questionnaire: the queue of submitted ones, a questionnaire with its
 * documents, and the decision. A rejection carries a reason per field; the decision reaches the account's
 * messages (category moderation, mailed to those who follow it) in the same transaction, and is audited.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { postMessage } from '../messages/index.js';
import { kycDocumentProblems, kycErrors } from './kyc.errors.js';
import { readQuestionnaire, type KycView } from './kyc.service.js';
import { withKycTables, type KycStatus } from './kyc.tables.js';
import { KYC_FIELDS } from './kyc.validation.js';

export const MAX_REASON_LENGTH = 500;

export interface OperatorActor {
  readonly operatorUserId: string;
  readonly ip: string;
}

export type KycDecision =
  | { readonly decision: 'approved' }
  | { readonly decision: 'rejected'; readonly reasons: Readonly<Record<string, string>> };

export async function listQuestionnaireQueue(deps: Deps, status: KycStatus) {
  const rows = await withKycTables(deps.db)
    .selectFrom('kyc_questionnaires')
    .innerJoin('accounts', 'accounts.id', 'kyc_questionnaires.account_id')
    .select([
      'kyc_questionnaires.account_id',
      'kyc_questionnaires.status',
      'kyc_questionnaires.submitted_at',
      'kyc_questionnaires.decided_at',
      'accounts.login',
      'accounts.legal_form',
    ])
    .where('kyc_questionnaires.status', '=', status)
    .orderBy('kyc_questionnaires.submitted_at')
    .limit(200)
    .execute();
  return {
    items: rows.map((row) => ({
      accountId: row.account_id,
      accountLogin: row.login,
      legalForm: row.legal_form,
      status: row.status,
      submittedAt: row.submitted_at?.toISOString() ?? null,
      decidedAt: row.decided_at?.toISOString() ?? null,
    })),
  };
}

export async function findQuestionnaireForOperator(deps: Deps, accountId: string): Promise<KycView> {
  const row = await withKycTables(deps.db)
    .selectFrom('kyc_questionnaires')
    .select('account_id')
    .where('account_id', '=', accountId)
    .where('status', '!=', 'draft')
    .executeTakeFirst();
  if (!row) throw kycErrors.questionnaireNotFound();
  return readQuestionnaire(deps.db, accountId);
}

/** Reasons trimmed, empty ones dropped; every key must be a field of the form, "documents" or "general". */
function checkReasons(
  fieldNames: readonly string[],
  reasons: Readonly<Record<string, string>>,
): Record<string, string> {
  const allowed = new Set([...fieldNames, 'documents', 'general']);
  const problems: Record<string, FieldProblem> = {};
  const kept: Record<string, string> = {};
  for (const [field, text] of Object.entries(reasons)) {
    const reason = text.trim();
    if (reason === '') continue;
    if (!allowed.has(field)) problems[`reasons.${field}`] = kycDocumentProblems.reasonUnknownField;
    else if (reason.length > MAX_REASON_LENGTH)
      problems[`reasons.${field}`] = kycDocumentProblems.reasonTooLong;
    else kept[field] = reason;
  }
  if (Object.keys(problems).length === 0 && Object.keys(kept).length === 0) {
    problems.reasons = kycDocumentProblems.reasonsRequired;
  }
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return kept;
}

const FIELD_LABELS: Record<string, { ru: string; en: string }> = {
  companyName: { ru: 'Наименование', en: 'Name' },
  fullName: { ru: 'ФИО', en: 'Full name' },
  inn: { ru: 'ИНН', en: 'INN' },
  kpp: { ru: 'КПП', en: 'KPP' },
  ogrn: { ru: 'ОГРН', en: 'OGRN' },
  ogrnip: { ru: 'ОГРНИП', en: 'OGRNIP' },
  legalAddress: { ru: 'Юридический адрес', en: 'Legal address' },
  postalAddress: { ru: 'Почтовый адрес', en: 'Postal address' },
  directorName: { ru: 'Руководитель', en: 'Director' },
  contactPhone: { ru: 'Контактный телефон', en: 'Contact phone' },
  bik: { ru: 'БИК', en: 'BIK' },
  settlementAccount: { ru: 'Расчётный счёт', en: 'Settlement account' },
  correspondentAccount: { ru: 'Корреспондентский счёт', en: 'Correspondent account' },
  documents: { ru: 'Документы', en: 'Documents' },
  general: { ru: 'Общее', en: 'General' },
};

async function notifyDecision(
  trx: Transaction<Database>,
  deps: Deps,
  accountId: string,
  reasons: Record<string, string> | null,
): Promise<void> {
  const list = (language: 'ru' | 'en') =>
    Object.entries(reasons ?? {})
      .map(([field, reason]) => `— ${FIELD_LABELS[field]?.[language] ?? field}: ${reason}`)
      .join('\n');
  const message = reasons
    ? {
        title: { ru: 'Анкета не прошла модерацию', en: 'The questionnaire did not pass moderation' },
        body: {
          ru: `Модератор вернул анкету. Исправьте поля и отправьте её снова.\n\n${list('ru')}`,
          en: `The moderator returned the questionnaire. Fix the fields and submit it again.\n\n${list('en')}`,
        },
      }
    : {
        title: { ru: 'Анкета одобрена', en: 'The questionnaire is approved' },
        body: {
          ru: 'Модератор проверил анкету и документы: всё в порядке.',
          en: 'The moderator checked the questionnaire and documents: all is in order.',
        },
      };
  await postMessage(trx, deps, {
    accountId,
    category: 'moderation',
    ...message,
    link: '/cabinet/kyc',
  });
}

export async function decideQuestionnaire(
  deps: Deps,
  actor: OperatorActor,
  accountId: string,
  input: KycDecision,
): Promise<KycView> {
  return deps.db.transaction().execute(async (trx) => {
    const tables = withKycTables(trx);
    const row = await tables
      .selectFrom('kyc_questionnaires')
      .innerJoin('accounts', 'accounts.id', 'kyc_questionnaires.account_id')
      .select(['kyc_questionnaires.status', 'accounts.legal_form'])
      .where('account_id', '=', accountId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw kycErrors.questionnaireNotFound();
    if (row.status !== 'submitted') throw kycErrors.notSubmitted({}, { status: row.status });
    const reasons =
      input.decision === 'rejected' ? checkReasons(KYC_FIELDS[row.legal_form], input.reasons) : null;
    const now = deps.clock.now();
    await tables
      .updateTable('kyc_questionnaires')
      .set({
        status: input.decision,
        rejection_reasons: reasons ?? {},
        decided_at: now,
        decided_by_user_id: actor.operatorUserId,
        updated_at: now,
      })
      .where('account_id', '=', accountId)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId,
      actorUserId: actor.operatorUserId,
      action: input.decision === 'approved' ? 'kyc.approved' : 'kyc.rejected',
      target: accountId,
      details: reasons ? { reasons } : {},
      ip: actor.ip,
    });
    await notifyDecision(trx, deps, accountId, reasons);
    return readQuestionnaire(trx, accountId);
  });
}
