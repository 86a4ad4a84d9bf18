/**
 * The merchant's side of the KYC questionnaire: read it, save a draft, attach and remove documents, and
 * submit it to moderation. Only the account's administrator acts here (the questionnaire holds the bank
 * details and passport scans); every query is scoped to the actor's account; every change is audited.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import type { Database } from '../../schema.js';
import type { MerchantActor } from '../accounts/index.js';
import { recordAudit } from '../audit/index.js';
import { decodeAttachments, type AttachmentInput } from '../support/index.js';
import { kycDocumentProblems, kycErrors } from './kyc.errors.js';
import { withKycTables, type KycDocumentKind, type KycDocumentType, type KycStatus } from './kyc.tables.js';
import {
  KYC_FIELDS,
  normalizeKycFields,
  validateKycDraft,
  validateKycFields,
  type LegalForm,
} from './kyc.validation.js';

export const MAX_KYC_DOCUMENTS = 10;
const EDITABLE: readonly KycStatus[] = ['draft', 'rejected'];

export interface KycActor extends MerchantActor {
  readonly ip: string;
}

export interface KycDocumentView {
  id: string;
  kind: KycDocumentKind;
  fileName: string;
  contentType: KycDocumentType;
  sizeBytes: number;
  createdAt: string;
}

export interface KycView {
  accountId: string;
  legalForm: LegalForm;
  status: KycStatus;
  fieldNames: readonly string[];
  fields: Record<string, string>;
  rejectionReasons: Record<string, string>;
  submittedAt: string | null;
  decidedAt: string | null;
  documents: KycDocumentView[];
}

function requireAdministrator(actor: MerchantActor): void {
  if (actor.role !== 'administrator') throw kycErrors.administratorOnly();
}

async function legalFormOf(db: Deps['db'] | Transaction<Database>, accountId: string): Promise<LegalForm> {
  const account = await db
    .selectFrom('accounts')
    .select('legal_form')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return account.legal_form;
}

/** The questionnaire of an account as both sides see it (documents without their bytes). */
export async function readQuestionnaire(
  db: Deps['db'] | Transaction<Database>,
  accountId: string,
): Promise<KycView> {
  const tables = withKycTables(db as Deps['db']);
  const legalForm = await legalFormOf(db, accountId);
  const row = await tables
    .selectFrom('kyc_questionnaires')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const documents = await tables
    .selectFrom('kyc_documents')
    .select(['id', 'kind', 'file_name', 'content_type', 'size_bytes', 'created_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return {
    accountId,
    legalForm,
    status: row?.status ?? 'draft',
    fieldNames: KYC_FIELDS[legalForm],
    fields: normalizeKycFields(legalForm, row?.fields ?? {}),
    rejectionReasons: row?.rejection_reasons ?? {},
    submittedAt: row?.submitted_at?.toISOString() ?? null,
    decidedAt: row?.decided_at?.toISOString() ?? null,
    documents: documents.map((document) => ({
      id: document.id,
      kind: document.kind,
      fileName: document.file_name,
      contentType: document.content_type,
      sizeBytes: document.size_bytes,
      createdAt: document.created_at.toISOString(),
    })),
  };
}

export async function getOwnQuestionnaire(deps: Deps, actor: MerchantActor): Promise<KycView> {
  requireAdministrator(actor);
  return readQuestionnaire(deps.db, actor.accountId);
}

/** Locks the account's questionnaire for a change, creating the draft on first use; refuses when frozen. */
async function lockEditable(trx: Transaction<Database>, deps: Deps, accountId: string) {
  const tables = withKycTables(trx);
  const now = deps.clock.now();
  await tables
    .insertInto('kyc_questionnaires')
    .values({
      account_id: accountId,
      status: 'draft',
      fields: {},
      rejection_reasons: {},
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.column('account_id').doNothing())
    .execute();
  const row = await tables
    .selectFrom('kyc_questionnaires')
    .selectAll()
    .where('account_id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (!EDITABLE.includes(row.status)) throw kycErrors.notEditable({}, { status: row.status });
  return row;
}

export async function saveDraft(
  deps: Deps,
  actor: KycActor,
  input: Record<string, unknown>,
): Promise<KycView> {
  requireAdministrator(actor);
  const legalForm = await legalFormOf(deps.db, actor.accountId);
  const fields = normalizeKycFields(legalForm, input);
  const problems = validateKycDraft(legalForm, fields);
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return deps.db.transaction().execute(async (trx) => {
    await lockEditable(trx, deps, actor.accountId);
    await withKycTables(trx)
      .updateTable('kyc_questionnaires')
      .set({ fields, updated_at: deps.clock.now() })
      .where('account_id', '=', actor.accountId)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'kyc.draft_saved',
      target: actor.accountId,
      ip: actor.ip,
    });
    return readQuestionnaire(trx, actor.accountId);
  });
}

export async function addDocument(
  deps: Deps,
  actor: KycActor,
  input: AttachmentInput & { kind: KycDocumentKind },
): Promise<KycDocumentView> {
  requireAdministrator(actor);
  const [file] = decodeAttachments([input]);
  if (!file || file.contentType === 'text/plain') {
    throw validationError({
      file: { ...kycDocumentProblems.typeNotAllowed, values: { name: input.fileName } },
    });
  }
  const contentType: KycDocumentType = file.contentType;
  return deps.db.transaction().execute(async (trx) => {
    await lockEditable(trx, deps, actor.accountId);
    const tables = withKycTables(trx);
    const count = await tables
      .selectFrom('kyc_documents')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('account_id', '=', actor.accountId)
      .executeTakeFirstOrThrow();
    if (Number(count.count) >= MAX_KYC_DOCUMENTS) {
      throw validationError({ file: { ...kycDocumentProblems.tooMany, values: { max: MAX_KYC_DOCUMENTS } } });
    }
    const id = createId('kycdoc');
    const now = deps.clock.now();
    await tables
      .insertInto('kyc_documents')
      .values({
        id,
        account_id: actor.accountId,
        kind: input.kind,
        file_name: file.fileName,
        content_type: contentType,
        size_bytes: file.content.length,
        sha256: file.sha256,
        content: file.content,
        created_at: now,
      })
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'kyc.document_added',
      target: id,
      details: { kind: input.kind, fileName: file.fileName, sha256: file.sha256 },
      ip: actor.ip,
    });
    return {
      id,
      kind: input.kind,
      fileName: file.fileName,
      contentType,
      sizeBytes: file.content.length,
      createdAt: now.toISOString(),
    };
  });
}

export async function removeDocument(deps: Deps, actor: KycActor, documentId: string): Promise<void> {
  requireAdministrator(actor);
  await deps.db.transaction().execute(async (trx) => {
    await lockEditable(trx, deps, actor.accountId);
    const deleted = await withKycTables(trx)
      .deleteFrom('kyc_documents')
      .where('id', '=', documentId)
      .where('account_id', '=', actor.accountId)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw kycErrors.documentNotFound();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'kyc.document_removed',
      target: documentId,
      ip: actor.ip,
    });
  });
}

/** A document with its bytes, of the given account only (the caller decides which account may look). */
export async function findDocument(deps: Deps, accountId: string, documentId: string) {
  const document = await withKycTables(deps.db)
    .selectFrom('kyc_documents')
    .select(['file_name', 'content_type', 'size_bytes', 'content'])
    .where('id', '=', documentId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!document) throw kycErrors.documentNotFound();
  return {
    fileName: document.file_name,
    contentType: document.content_type,
    sizeBytes: document.size_bytes,
    content: Buffer.from(document.content),
  };
}

export async function findOwnDocument(deps: Deps, actor: MerchantActor, documentId: string) {
  requireAdministrator(actor);
  return findDocument(deps, actor.accountId, documentId);
}

/** Sends the questionnaire to moderation: every field checked, at least one document attached. */
export async function submitQuestionnaire(deps: Deps, actor: KycActor): Promise<KycView> {
  requireAdministrator(actor);
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockEditable(trx, deps, actor.accountId);
    const legalForm = await legalFormOf(trx, actor.accountId);
    const problems = validateKycFields(legalForm, normalizeKycFields(legalForm, row.fields));
    const documents = await withKycTables(trx)
      .selectFrom('kyc_documents')
      .select('id')
      .where('account_id', '=', actor.accountId)
      .limit(1)
      .execute();
    if (documents.length === 0) problems.documents = kycDocumentProblems.required;
    if (Object.keys(problems).length > 0) throw validationError(problems);
    const now = deps.clock.now();
    await withKycTables(trx)
      .updateTable('kyc_questionnaires')
      .set({
        status: 'submitted',
        rejection_reasons: {},
        submitted_at: now,
        decided_at: null,
        decided_by_user_id: null,
        updated_at: now,
      })
      .where('account_id', '=', actor.accountId)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'kyc.submitted',
      target: actor.accountId,
      ip: actor.ip,
    });
    return readQuestionnaire(trx, actor.accountId);
  });
}

/** The account's legal requisites from its approved questionnaire (for documents), or null. */
export interface ApprovedRequisites {
  readonly name: string;
  readonly inn: string;
  readonly kpp: string | null;
  /** OGRN of a legal entity, OGRNIP of a sole proprietor. */
  readonly ogrn: string | null;
  readonly address: string | null;
}

export async function readApprovedRequisites(
  db: Kysely<Database>,
  accountId: string,
): Promise<ApprovedRequisites | null> {
  const row = await withKycTables(db)
    .selectFrom('kyc_questionnaires')
    .select('fields')
    .where('account_id', '=', accountId)
    .where('status', '=', 'approved')
    .executeTakeFirst();
  if (!row) return null;
  const fields = row.fields as Record<string, string | undefined>;
  const text = (name: string) => (fields[name]?.trim() ? (fields[name] as string).trim() : null);
  const name = text('companyName') ?? text('fullName');
  const inn = text('inn');
  if (!name || !inn) return null;
  return {
    name,
    inn,
    kpp: text('kpp'),
    ogrn: text('ogrn') ?? text('ogrnip'),
    address: text('legalAddress') ?? text('postalAddress'),
  };
}
