/**
 * Issuing the closing documents: a period's set (agent's report, act, reconciliation statement,
 * invoice) for one account, from the figures of the period, stored with its files. A set is unique per
 * account, kind and period, so the monthly task, an on-demand job and a retry never issue twice.
 * Delivery follows the account's document flow: 'edo' documents are downloadable and marked sent at
 * once (and the account gets a message); 'paper' ones wait for the operator to post them.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { createId } from '../../platform/ids.js';
import { enqueueJob, type JobHandler } from '../../platform/jobs.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { postMessage } from '../messages/index.js';
import { documentErrors } from './document.errors.js';
import {
  moscowDay,
  previousMonth,
  readPeriodFigures,
  type DocumentPeriod,
  type PeriodFigures,
} from './document.figures.js';
import {
  documentSettingsFromEnv,
  readMerchantRequisites,
  type DocumentSettings,
} from './document.parties.js';
import { renderPdf, renderXlsx } from './document.render.js';
import {
  DOCUMENT_KINDS,
  withDocumentTables,
  type DocumentKind,
  type DocumentStatus,
} from './document.tables.js';
import { formatDate } from './document.words.js';

export const DOCUMENT_GENERATE_QUEUE = 'documents.generate';
/** The monthly task runs hourly; it issues last month's set for accounts that lack it and is a no-op otherwise. */
export const MONTHLY_DOCUMENTS_INTERVAL_MS = 60 * 60 * 1000;

type DocumentDeps = Pick<Deps, 'db' | 'clock' | 'config'>;

export interface DocumentSummary {
  readonly id: string;
  readonly kind: DocumentKind;
  readonly number: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly delivery: 'electronic' | 'paper';
  readonly status: DocumentStatus;
  readonly hasXlsx: boolean;
  readonly dispatchedAt: string | null;
  readonly trackingNumber: string | null;
  readonly createdAt: string;
}

interface RenderedDocument {
  readonly kind: DocumentKind;
  readonly number: string;
  readonly pdf: Buffer;
  readonly xlsx: Buffer | null;
}

async function nextNumber(db: Kysely<Database>, period: DocumentPeriod): Promise<string> {
  const result = await sql<{ value: string }>`select nextval('document_numbers')::text as value`.execute(db);
  return `${period.end.slice(0, 4)}-${result.rows[0]!.value}`;
}

async function existingKinds(db: Kysely<Database>, accountId: string, period: DocumentPeriod) {
  const rows = await withDocumentTables(db)
    .selectFrom('documents')
    .select('kind')
    .where('account_id', '=', accountId)
    .where('period_start', '=', period.start)
    .where('period_end', '=', period.end)
    .execute();
  return new Set(rows.map((row) => row.kind));
}

/** Renders outside any transaction (PDF drawing takes a while), then stores in one. */
async function renderMissing(
  deps: DocumentDeps,
  settings: DocumentSettings,
  accountId: string,
  period: DocumentPeriod,
  figures: PeriodFigures,
  missing: readonly DocumentKind[],
): Promise<RenderedDocument[]> {
  const merchant = await readMerchantRequisites(deps.db, accountId);
  const issuedOn = moscowDay(deps.clock.now());
  const rendered: RenderedDocument[] = [];
  for (const kind of missing) {
    const number = await nextNumber(deps.db, period);
    const input = { kind, number, issuedOn, period, figures, merchant, settings };
    rendered.push({ kind, number, pdf: await renderPdf(input), xlsx: await renderXlsx(input) });
  }
  return rendered;
}

function figuresJson(figures: PeriodFigures): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(figures).map(([key, value]) => [
      key,
      typeof value === 'bigint' ? value.toString() : value,
    ]),
  );
}

/** Issues the missing documents of a period for one account; returns how many were issued now. */
export async function generateDocumentSet(
  deps: DocumentDeps,
  accountId: string,
  period: DocumentPeriod,
  settings: DocumentSettings = documentSettingsFromEnv(),
): Promise<number> {
  const present = await existingKinds(deps.db, accountId, period);
  const missing = DOCUMENT_KINDS.filter((kind) => !present.has(kind));
  if (missing.length === 0) return 0;
  const figures = await readPeriodFigures(deps.db, accountId, period);
  const rendered = await renderMissing(deps, settings, accountId, period, figures, missing);
  return deps.db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .select(['document_flow'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const electronic = account.document_flow === 'edo';
    let issued = 0;
    for (const document of rendered) {
      const inserted = await withDocumentTables(trx)
        .insertInto('documents')
        .values({
          id: createId('doc'),
          account_id: accountId,
          kind: document.kind,
          period_start: period.start,
          period_end: period.end,
          number: document.number,
          delivery: electronic ? 'electronic' : 'paper',
          status: electronic ? 'sent' : 'awaiting_dispatch',
          figures: JSON.stringify(figuresJson(figures)),
          pdf: document.pdf,
          xlsx: document.xlsx,
          created_at: deps.clock.now(),
        })
        .onConflict((conflict) =>
          conflict.columns(['account_id', 'kind', 'period_start', 'period_end']).doNothing(),
        )
        .returning('id')
        .executeTakeFirst();
      if (inserted) issued += 1;
    }
    if (issued > 0) await announce(trx, deps, accountId, period, electronic);
    return issued;
  });
}

async function announce(
  trx: Transaction<Database>,
  deps: DocumentDeps,
  accountId: string,
  period: DocumentPeriod,
  electronic: boolean,
): Promise<void> {
  const range = `${formatDate(period.start)} – ${formatDate(period.end)}`;
  await postMessage(trx, deps, {
    accountId,
    category: 'documents',
    title: { ru: `Закрывающие документы за ${range}`, en: `Closing documents for ${range}` },
    body: electronic
      ? {
          ru: 'Отчёт агента, акт, акт сверки и счёт готовы: их можно скачать в разделе «Документы».',
          en: "The agent's report, act, reconciliation statement and invoice are ready to download in Documents.",
        }
      : {
          ru: 'Документы сформированы; оригиналы отправим почтой, трек-номер появится в разделе «Документы».',
          en: 'The documents are issued; the originals go by post, and the tracking number will appear in Documents.',
        },
    link: '/cabinet/documents',
    dedupKey: `documents:${accountId}:${period.start}:${period.end}`,
  });
}

/** The monthly task: last month's set for every active account that lacks it. */
export async function runMonthlyDocuments(deps: DocumentDeps): Promise<number> {
  const period = previousMonth(deps.clock.now());
  // Accounts registered after the month had no part in it: no empty set for them.
  const monthEnd = new Date(`${period.end}T21:00:00Z`); // midnight after the last day, Moscow (UTC+3)
  const accounts = await deps.db
    .selectFrom('accounts')
    .select('id')
    .where('status', '=', 'active')
    .where('created_at', '<', monthEnd)
    .execute();
  let issued = 0;
  for (const account of accounts) issued += await generateDocumentSet(deps, account.id, period);
  return issued;
}

/** On demand: enqueued in the request's transaction; the job issues the set. */
export async function requestDocuments(
  trx: Transaction<Database>,
  deps: DocumentDeps,
  request: { accountId: string; userId: string; period: DocumentPeriod },
): Promise<void> {
  await enqueueJob(trx, deps.clock, {
    queue: DOCUMENT_GENERATE_QUEUE,
    payload: { accountId: request.accountId, start: request.period.start, end: request.period.end },
  });
  await recordAudit(trx, deps.clock, {
    accountId: request.accountId,
    actorUserId: request.userId,
    action: 'documents.requested',
    details: { periodStart: request.period.start, periodEnd: request.period.end },
  });
}

function parsePayload(payload: unknown): { accountId: string; period: DocumentPeriod } {
  const value = payload as { accountId?: unknown; start?: unknown; end?: unknown };
  if (typeof value.accountId !== 'string' || typeof value.start !== 'string' || typeof value.end !== 'string')
    throw new Error('documents.generate: bad payload');
  return { accountId: value.accountId, period: { start: value.start, end: value.end } };
}

export function createDocumentGenerateHandler(deps: DocumentDeps): JobHandler {
  return async (payload) => {
    const { accountId, period } = parsePayload(payload);
    await generateDocumentSet(deps, accountId, period);
  };
}

export async function listDocuments(db: Kysely<Database>, accountId: string): Promise<DocumentSummary[]> {
  const rows = await withDocumentTables(db)
    .selectFrom('documents')
    .select([
      'id',
      'kind',
      'number',
      // Dates as text: the driver would turn a date into a local-time Date.
      sql<string>`period_start::text`.as('period_start'),
      sql<string>`period_end::text`.as('period_end'),
      'delivery',
      'status',
      sql<boolean>`xlsx is not null`.as('has_xlsx'),
      sql<string | null>`dispatched_at::text`.as('dispatched_at'),
      'tracking_number',
      'created_at',
    ])
    .where('account_id', '=', accountId)
    .orderBy('period_start', 'desc')
    .orderBy('kind')
    .limit(500)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    number: row.number,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    delivery: row.delivery,
    status: row.status,
    hasXlsx: row.has_xlsx,
    dispatchedAt: row.dispatched_at,
    trackingNumber: row.tracking_number,
    createdAt: row.created_at.toISOString(),
  }));
}

/** A document's file, only for its own account. */
export async function readDocumentFile(
  db: Kysely<Database>,
  accountId: string,
  documentId: string,
  format: 'pdf' | 'xlsx',
): Promise<{ number: string; kind: DocumentKind; content: Uint8Array }> {
  const row = await withDocumentTables(db)
    .selectFrom('documents')
    .select(['number', 'kind', 'pdf', 'xlsx'])
    .where('id', '=', documentId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw documentErrors.documentNotFound();
  const content = format === 'pdf' ? row.pdf : row.xlsx;
  if (!content) throw documentErrors.noSpreadsheet();
  return { number: row.number, kind: row.kind, content };
}

/** The operator records a paper document's postal dispatch (audited). */
export async function recordDispatch(
  deps: DocumentDeps,
  dispatch: {
    documentId: string;
    operatorUserId: string;
    dispatchedOn: string;
    trackingNumber: string;
    ip?: string;
  },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const updated = await withDocumentTables(trx)
      .updateTable('documents')
      .set({
        status: 'dispatched',
        dispatched_at: dispatch.dispatchedOn,
        tracking_number: dispatch.trackingNumber,
        dispatched_by: dispatch.operatorUserId,
      })
      .where('id', '=', dispatch.documentId)
      .where('status', '=', 'awaiting_dispatch')
      .returning(['account_id'])
      .executeTakeFirst();
    if (!updated) {
      const exists = await withDocumentTables(trx)
        .selectFrom('documents')
        .select('id')
        .where('id', '=', dispatch.documentId)
        .executeTakeFirst();
      throw exists ? documentErrors.notAwaitingDispatch() : documentErrors.documentNotFound();
    }
    await recordAudit(trx, deps.clock, {
      accountId: updated.account_id,
      actorUserId: dispatch.operatorUserId,
      action: 'documents.dispatched',
      target: dispatch.documentId,
      details: { dispatchedOn: dispatch.dispatchedOn, trackingNumber: dispatch.trackingNumber },
      ip: dispatch.ip ?? null,
    });
  });
}

/** Paper documents the operator still has to post, oldest first. */
export async function listAwaitingDispatch(db: Kysely<Database>) {
  const rows = await withDocumentTables(db)
    .selectFrom('documents')
    .select([
      'id',
      'account_id',
      'kind',
      'number',
      sql<string>`period_start::text`.as('period_start'),
      'created_at',
    ])
    .where('status', '=', 'awaiting_dispatch')
    .orderBy('created_at')
    .limit(500)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    kind: row.kind,
    number: row.number,
    periodStart: row.period_start,
    createdAt: row.created_at.toISOString(),
  }));
}
