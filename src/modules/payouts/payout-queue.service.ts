/**
 * The operator's payout queue (back-office, finance): payouts above KOPEK_PAYOUT_APPROVAL_THRESHOLD wait
 * in 'awaiting_approval' with their money already in in_payout (payout.service.ts insertPayout). Finance
 *
 * - approves one for the automatic bank (→ 'created', and its send job is enqueued: the usual path) or for
 *   a bank file (→ 'approved', rubles only);
 * - rejects one ('awaiting_approval' or 'approved' → 'rejected'): `payout:<id>:rejected`, in_payout →
 *   available, and the merchant's message says why;
 * - exports approved payouts as payment orders in the 1C client-bank format (client-bank-export.ts) into a
 *   stored file (→ 'exported', with the file's id and the order's number). A payout already exported goes
 *   into another file only when re-export is asked for explicitly, and keeps its order number;
 * - records what the bank's statement shows for an exported payout: executed (`payout:<id>:executed`,
 *   in_payout → platform acquirer_clearing) with the bank's reference and date, or returned
 *   (`payout:<id>:returned` → available), also after execution (the recipient's bank sent it back: then
 *   from acquirer_clearing). The merchant is notified in the same transaction.
 *
 * Every decision locks the payout row and checks its status again, so two people (or a double click)
 * cannot decide twice; the transfers' idempotency keys back this up. Money only goes back to available or
 * out of in_payout, which only payouts use, so no shop money lock is needed (as in payout.jobs.ts).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import { formatMinor } from '../../platform/money.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { parseCivilDay } from '../balances/index.js';
import { platformAccount, postTransfer, shopAccount, type LedgerAccountRef } from '../ledger/index.js';
import { notifyPayoutOutcome, postMessage } from '../messages/index.js';
import { encodeClientBankExchange, type ClientBankParty } from './client-bank-export.js';
import { payoutErrors, payoutQueueErrors, payoutQueueProblems } from './payout.errors.js';
import { enqueuePayoutSend, payoutBankDetails, payoutTransferKey } from './payout.service.js';
import {
  withPayoutTables,
  withPayoutTablesInTransaction,
  type PayoutDelivery,
  type PayoutRow,
  type PayoutStatus,
} from './payout.tables.js';

/** One file holds at most this many payment orders; the rest wait for the next export. */
export const MAX_PAYOUTS_PER_EXPORT = 500;
export const PAYOUT_QUEUE_PAGE_SIZE = 200;
export const CLIENT_BANK_SENDER = 'Kopek';

/** The statuses the queue lists: finance's open work, then its history. */
export const QUEUE_STATUSES = [
  'awaiting_approval',
  'approved',
  'exported',
  'executed',
  'returned',
  'rejected',
] as const satisfies readonly PayoutStatus[];
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
const OPEN_STATUSES: readonly QueueStatus[] = ['awaiting_approval', 'approved', 'exported'];

/** The operator's own account, the payer of every payment order (KOPEK_OPERATOR_*); nulls when unset. */
export interface OperatorBankAccount {
  readonly name: string;
  readonly inn: string;
  readonly kpp: string | null;
  readonly bankName: string | null;
  readonly bik: string | null;
  readonly settlementAccount: string | null;
  readonly correspondentAccount: string | null;
}

export interface StaffAction {
  readonly payoutId: string;
  readonly staffUserId: string;
  readonly ip: string | null;
}

/** Moscow is UTC+3 all year: its wall clock as "YYYY-MM-DDTHH:MM:SS". */
const moscowWallClock = (at: Date) => new Date(at.getTime() + 3 * 3_600_000).toISOString().slice(0, 19);
const dottedDate = (isoDay: string) => isoDay.split('-').reverse().join('.');

// ---------------------------------------------------------------------------------------------- reading

export interface QueueItem {
  readonly id: string;
  readonly accountId: string;
  readonly accountLogin: string;
  readonly shopId: string;
  readonly shopName: string;
  readonly amount: string;
  readonly currency: string;
  readonly status: PayoutStatus;
  readonly delivery: PayoutDelivery;
  readonly approvalRequired: boolean;
  readonly createdAt: string;
  readonly decidedAt: string | null;
  readonly rejectReason: string | null;
  readonly orderNumber: string | null;
  readonly exportFileId: string | null;
  readonly exportFileNumber: string | null;
  readonly exportedAt: string | null;
  readonly bankReference: string | null;
  readonly executedOn: string | null;
  readonly returnedOn: string | null;
  readonly returnReason: string | null;
  /** In full: finance pays to these. */
  readonly recipient: ReturnType<typeof payoutBankDetails>;
}

/**
 * Payouts of one queue status: the open ones oldest first (work in order), the decided ones newest
 * first. History lists only payouts that passed through finance (approval or bank file).
 */
export async function listPayoutQueue(db: Kysely<Database>, status: QueueStatus): Promise<QueueItem[]> {
  const isOpen = OPEN_STATUSES.includes(status);
  const direction = isOpen ? 'asc' : 'desc';
  const rows = await withPayoutTables(db)
    .selectFrom('payouts as p')
    .innerJoin('shops as s', 's.id', 'p.shop_id')
    .innerJoin('accounts as a', 'a.id', 'p.account_id')
    .leftJoin('payout_export_files as f', 'f.id', 'p.export_file_id')
    .selectAll('p')
    .select([
      's.name as shop_name',
      'a.login as account_login',
      'f.number as file_number',
      sql<string | null>`p.executed_on::text`.as('executed_on_text'),
      sql<string | null>`p.returned_on::text`.as('returned_on_text'),
    ])
    .where('p.status', '=', status)
    .where((eb) => eb.or([eb('p.approval_required', '=', true), eb('p.delivery', '=', 'bank_file')]))
    .orderBy('p.created_at', direction)
    .orderBy('p.id', direction)
    .limit(PAYOUT_QUEUE_PAGE_SIZE)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    accountLogin: row.account_login,
    shopId: row.shop_id,
    shopName: row.shop_name,
    amount: formatMinor(row.amount_minor, row.currency),
    currency: row.currency,
    status: row.status,
    delivery: row.delivery,
    approvalRequired: row.approval_required,
    createdAt: row.created_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
    rejectReason: row.reject_reason,
    orderNumber: row.order_number?.toString() ?? null,
    exportFileId: row.export_file_id,
    exportFileNumber: row.file_number?.toString() ?? null,
    exportedAt: row.exported_at?.toISOString() ?? null,
    bankReference: row.bank_reference,
    executedOn: row.executed_on_text,
    returnedOn: row.returned_on_text,
    returnReason: row.return_reason,
    recipient: payoutBankDetails(row),
  }));
}

export interface ExportFileView {
  readonly id: string;
  readonly number: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly isReexport: boolean;
  readonly payoutCount: number;
  readonly total: string;
}

export async function listExportFiles(db: Kysely<Database>): Promise<ExportFileView[]> {
  const rows = await withPayoutTables(db)
    .selectFrom('payout_export_files as f')
    .innerJoin('users as u', 'u.id', 'f.created_by')
    .select(['f.id', 'f.number', 'f.created_at', 'f.is_reexport', 'f.payout_count', 'f.total_minor'])
    .select('u.login as created_by_login')
    .orderBy('f.number', 'desc')
    .limit(50)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    number: row.number.toString(),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by_login,
    isReexport: row.is_reexport,
    payoutCount: row.payout_count,
    total: formatMinor(row.total_minor, 'RUB'),
  }));
}

export async function readExportFile(db: Kysely<Database>, fileId: string) {
  const row = await withPayoutTables(db)
    .selectFrom('payout_export_files')
    .select(['number', 'content'])
    .where('id', '=', fileId)
    .executeTakeFirst();
  if (!row) throw payoutQueueErrors.exportFileNotFound();
  return { fileName: `kopek-payouts-${row.number}.txt`, content: row.content };
}

// -------------------------------------------------------------------------------------------- deciding

async function lockPayout(trx: Transaction<Database>, payoutId: string): Promise<PayoutRow> {
  const row = await withPayoutTablesInTransaction(trx)
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', payoutId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw payoutErrors.payoutNotFound();
  return row;
}

function requireStatus(payout: PayoutRow, allowed: readonly PayoutStatus[]): void {
  if (!allowed.includes(payout.status)) throw payoutQueueErrors.wrongStatus({ status: payout.status });
}

function requireBankFile(payout: PayoutRow): void {
  if (payout.delivery !== 'bank_file') throw payoutQueueErrors.wrongStatus({ status: payout.status });
}

/** Gives the payout's money back to the shop's available balance, from where it sits now. */
async function returnToAvailable(
  trx: Transaction<Database>,
  deps: Deps,
  payout: PayoutRow,
  stage: 'rejected' | 'returned',
  from: LedgerAccountRef,
) {
  await postTransfer(trx, deps.clock, {
    idempotencyKey: payoutTransferKey(payout.id, stage),
    kind: 'payout',
    reference: payout.id,
    currency: payout.currency,
    legs: [
      { account: from, amountMinor: payout.amount_minor },
      {
        account: shopAccount(payout.shop_id, 'available', payout.currency),
        amountMinor: -payout.amount_minor,
      },
    ],
  });
}

const auditOf = (payout: PayoutRow, action: StaffAction, name: string, details: Record<string, unknown>) => ({
  accountId: payout.account_id,
  actorUserId: action.staffUserId,
  action: name,
  target: payout.id,
  details: {
    amount: formatMinor(payout.amount_minor, payout.currency),
    currency: payout.currency,
    ...details,
  },
  ip: action.ip,
});

export async function approvePayout(
  deps: Deps,
  action: StaffAction & { readonly delivery: PayoutDelivery },
): Promise<{ id: string; status: PayoutStatus }> {
  return deps.db.transaction().execute(async (trx) => {
    const payout = await lockPayout(trx, action.payoutId);
    requireStatus(payout, ['awaiting_approval']);
    // A payment order moves rubles: other currencies go through the automatic bank.
    if (action.delivery === 'bank_file' && payout.currency !== 'RUB')
      throw payoutQueueErrors.bankFileRublesOnly();
    const status = action.delivery === 'provider' ? 'created' : 'approved';
    await withPayoutTablesInTransaction(trx)
      .updateTable('payouts')
      .set({
        status,
        delivery: action.delivery,
        decided_by: action.staffUserId,
        decided_at: deps.clock.now(),
      })
      .where('id', '=', payout.id)
      .execute();
    if (status === 'created') await enqueuePayoutSend(trx, deps, payout.id);
    await recordAudit(
      trx,
      deps.clock,
      auditOf(payout, action, 'payout.approved', { delivery: action.delivery }),
    );
    return { id: payout.id, status };
  });
}

function requireReason(text: string, field = 'reason'): string {
  const reason = text.trim();
  if (reason.length < 3 || reason.length > 500)
    throw validationError({ [field]: payoutQueueProblems.reasonRequired });
  return reason;
}

async function tellMerchantOfRejection(
  trx: Transaction<Database>,
  deps: Deps,
  payout: PayoutRow,
  reason: string,
) {
  const amount = formatMinor(payout.amount_minor, payout.currency);
  await postMessage(trx, deps, {
    accountId: payout.account_id,
    category: 'payouts',
    title: {
      ru: `Выплата ${amount} ${payout.currency} отклонена`,
      en: `Payout of ${amount} ${payout.currency} rejected`,
    },
    body: {
      ru: `Оператор отклонил выплату ${amount} ${payout.currency}. Причина: ${reason}\n\nДеньги снова доступны на балансе магазина.`,
      en: `The operator rejected the payout of ${amount} ${payout.currency}. Reason: ${reason}\n\nThe money is available on the shop's balance again.`,
    },
    link: '/cabinet/balance',
    dedupKey: `payout:${payout.id}:rejected`,
  });
}

export async function rejectPayout(
  deps: Deps,
  action: StaffAction & { readonly reason: string },
): Promise<{ id: string; status: PayoutStatus }> {
  const reason = requireReason(action.reason);
  return deps.db.transaction().execute(async (trx) => {
    const payout = await lockPayout(trx, action.payoutId);
    requireStatus(payout, ['awaiting_approval', 'approved']);
    await returnToAvailable(
      trx,
      deps,
      payout,
      'rejected',
      shopAccount(payout.shop_id, 'in_payout', payout.currency),
    );
    await withPayoutTablesInTransaction(trx)
      .updateTable('payouts')
      .set({
        status: 'rejected',
        reject_reason: reason,
        decided_by: action.staffUserId,
        decided_at: deps.clock.now(),
      })
      .where('id', '=', payout.id)
      .execute();
    await tellMerchantOfRejection(trx, deps, payout, reason);
    await recordAudit(trx, deps.clock, auditOf(payout, action, 'payout.rejected', { reason }));
    return { id: payout.id, status: 'rejected' as const };
  });
}

/** A bank statement's date: a real YYYY-MM-DD day, not after today in Moscow. */
function requireBankDate(deps: Deps, text: string, field: string): string {
  const day = parseCivilDay(text);
  const today = parseCivilDay(moscowWallClock(deps.clock.now()).slice(0, 10)) ?? 0;
  if (day === undefined || day > today) throw validationError({ [field]: payoutQueueProblems.dateInvalid });
  return text;
}

export async function recordBankExecution(
  deps: Deps,
  action: StaffAction & { readonly bankReference: string; readonly executedOn: string },
): Promise<{ id: string; status: PayoutStatus }> {
  const bankReference = action.bankReference.trim();
  const problems = {
    ...(bankReference.length < 1 || bankReference.length > 64
      ? { bankReference: payoutQueueProblems.bankReferenceInvalid }
      : {}),
    ...(parseCivilDay(action.executedOn) === undefined
      ? { executedOn: payoutQueueProblems.dateInvalid }
      : {}),
  };
  if (Object.keys(problems).length > 0) throw validationError(problems);
  const executedOn = requireBankDate(deps, action.executedOn, 'executedOn');
  return deps.db.transaction().execute(async (trx) => {
    const payout = await lockPayout(trx, action.payoutId);
    requireStatus(payout, ['exported']);
    requireBankFile(payout);
    await postTransfer(trx, deps.clock, {
      idempotencyKey: payoutTransferKey(payout.id, 'executed'),
      kind: 'payout',
      reference: payout.id,
      currency: payout.currency,
      legs: [
        {
          account: shopAccount(payout.shop_id, 'in_payout', payout.currency),
          amountMinor: payout.amount_minor,
        },
        { account: platformAccount('acquirer_clearing', payout.currency), amountMinor: -payout.amount_minor },
      ],
    });
    await withPayoutTablesInTransaction(trx)
      .updateTable('payouts')
      .set({
        status: 'executed',
        executed_at: deps.clock.now(),
        executed_on: executedOn,
        bank_reference: bankReference,
        outcome_recorded_by: action.staffUserId,
      })
      .where('id', '=', payout.id)
      .execute();
    await notifyPayoutOutcome(trx, deps, {
      payoutId: payout.id,
      accountId: payout.account_id,
      shopId: payout.shop_id,
      amountMinor: payout.amount_minor,
      currency: payout.currency,
      status: 'executed',
    });
    await recordAudit(
      trx,
      deps.clock,
      auditOf(payout, action, 'payout.executed', { bankReference, executedOn }),
    );
    return { id: payout.id, status: 'executed' as const };
  });
}

export async function recordBankReturn(
  deps: Deps,
  action: StaffAction & { readonly reason: string; readonly returnedOn: string },
): Promise<{ id: string; status: PayoutStatus }> {
  const reason = requireReason(action.reason);
  const returnedOn = requireBankDate(deps, action.returnedOn, 'returnedOn');
  return deps.db.transaction().execute(async (trx) => {
    const payout = await lockPayout(trx, action.payoutId);
    requireStatus(payout, ['exported', 'executed']);
    requireBankFile(payout);
    // After execution the money had left for the recipient's bank; it comes back from there.
    const from =
      payout.status === 'executed'
        ? platformAccount('acquirer_clearing', payout.currency)
        : shopAccount(payout.shop_id, 'in_payout', payout.currency);
    await returnToAvailable(trx, deps, payout, 'returned', from);
    await withPayoutTablesInTransaction(trx)
      .updateTable('payouts')
      .set({
        status: 'returned',
        returned_at: deps.clock.now(),
        returned_on: returnedOn,
        return_reason: reason,
        outcome_recorded_by: action.staffUserId,
      })
      .where('id', '=', payout.id)
      .execute();
    await notifyPayoutOutcome(trx, deps, {
      payoutId: payout.id,
      accountId: payout.account_id,
      shopId: payout.shop_id,
      amountMinor: payout.amount_minor,
      currency: payout.currency,
      status: 'returned',
      reason,
    });
    await recordAudit(trx, deps.clock, auditOf(payout, action, 'payout.returned', { reason, returnedOn }));
    return { id: payout.id, status: 'returned' as const };
  });
}

// ------------------------------------------------------------------------------------------- exporting

export interface ExportRequest {
  /** Absent: every approved payout (oldest first, up to MAX_PAYOUTS_PER_EXPORT). */
  readonly payoutIds?: readonly string[] | undefined;
  /** Include payouts exported before (their order numbers stay): needs payoutIds. */
  readonly reexport: boolean;
  readonly staffUserId: string;
  readonly ip: string | null;
}

function payerOf(operator: OperatorBankAccount): ClientBankParty {
  const { bik, settlementAccount, correspondentAccount } = operator;
  if (!bik || !settlementAccount || !correspondentAccount)
    throw payoutQueueErrors.operatorBankDetailsMissing();
  return { ...operator, bik, settlementAccount, correspondentAccount };
}

/** Locks the payouts to export; a payout another export took meanwhile no longer matches and is left out. */
async function lockExportable(trx: Transaction<Database>, request: ExportRequest) {
  const statuses: PayoutStatus[] = request.reexport ? ['approved', 'exported'] : ['approved'];
  let query = withPayoutTablesInTransaction(trx)
    .selectFrom('payouts as p')
    .innerJoin('shops as s', 's.id', 'p.shop_id')
    .selectAll('p')
    .select('s.name as shop_name')
    .where('p.delivery', '=', 'bank_file')
    .where('p.status', 'in', statuses);
  if (request.payoutIds) query = query.where('p.id', 'in', [...request.payoutIds]);
  return query.orderBy('p.created_at').orderBy('p.id').limit(MAX_PAYOUTS_PER_EXPORT).forUpdate('p').execute();
}

/** Numbers the payouts' payment orders once: a re-export keeps the number the bank has seen. */
async function assignOrderNumbers(trx: Transaction<Database>, payoutIds: readonly string[]) {
  const numbered = await withPayoutTablesInTransaction(trx)
    .updateTable('payouts')
    .set({ order_number: sql<bigint>`coalesce(order_number, nextval('payout_order_numbers'))` })
    .where('id', 'in', [...payoutIds])
    .returning(['id', 'order_number'])
    .execute();
  return new Map(numbered.map((row) => [row.id, row.order_number ?? 0n]));
}

const paymentPurpose = (payoutId: string, shopName: string) =>
  `Перечисление денежных средств, принятых в пользу клиента по договору (выплата ${payoutId}, магазин «${shopName.slice(0, 60)}»). НДС не облагается`;

export async function exportPayouts(deps: Deps, operator: OperatorBankAccount, request: ExportRequest) {
  if (request.reexport && (request.payoutIds?.length ?? 0) === 0)
    throw validationError({ payoutIds: payoutQueueProblems.payoutIdsRequired });
  const payer = payerOf(operator);
  return deps.db.transaction().execute(async (trx) => {
    const payouts = await lockExportable(trx, request);
    const missing = (request.payoutIds ?? []).filter((id) => !payouts.some((payout) => payout.id === id));
    if (missing.length > 0) throw payoutQueueErrors.notExportable({ ids: missing.join(', ') });
    if (payouts.length === 0) throw payoutQueueErrors.nothingToExport();
    const numbers = await assignOrderNumbers(
      trx,
      payouts.map((payout) => payout.id),
    );
    const now = deps.clock.now();
    const [day, time] = moscowWallClock(now).split('T') as [string, string];
    const content = encodeClientBankExchange({
      sender: CLIENT_BANK_SENDER,
      createdOn: dottedDate(day),
      createdAtTime: time,
      payer,
      orders: payouts.map((payout) => {
        const details = payoutBankDetails(payout);
        return {
          number: numbers.get(payout.id) ?? 0n,
          date: dottedDate(day),
          amountMinor: payout.amount_minor,
          payee: {
            name: details.recipientName,
            inn: details.inn,
            kpp: details.kpp,
            settlementAccount: details.settlementAccount,
            bankName: null,
            bik: details.bik,
            correspondentAccount: details.correspondentAccount,
          },
          purpose: paymentPurpose(payout.id, payout.shop_name),
        };
      }),
    });
    const totalMinor = payouts.reduce((sum, payout) => sum + payout.amount_minor, 0n);
    const file = await withPayoutTablesInTransaction(trx)
      .insertInto('payout_export_files')
      .values({
        id: createId('pxf'),
        created_by: request.staffUserId,
        created_at: now,
        is_reexport: request.reexport,
        payout_count: payouts.length,
        total_minor: totalMinor,
        content,
      })
      .returning(['id', 'number'])
      .executeTakeFirstOrThrow();
    await withPayoutTablesInTransaction(trx)
      .updateTable('payouts')
      .set({
        status: 'exported',
        export_file_id: file.id,
        exported_at: now,
        sent_at: sql<Date>`coalesce(sent_at, ${now})`,
      })
      .where(
        'id',
        'in',
        payouts.map((payout) => payout.id),
      )
      .execute();
    for (const payout of payouts)
      await recordAudit(
        trx,
        deps.clock,
        auditOf(payout, { ...request, payoutId: payout.id }, 'payout.exported', {
          fileId: file.id,
          fileNumber: file.number.toString(),
          orderNumber: (numbers.get(payout.id) ?? 0n).toString(),
        }),
      );
    return {
      id: file.id,
      number: file.number.toString(),
      payoutCount: payouts.length,
      total: formatMinor(totalMinor, 'RUB'),
      isReexport: request.reexport,
      payoutIds: payouts.map((payout) => payout.id),
    };
  });
}
