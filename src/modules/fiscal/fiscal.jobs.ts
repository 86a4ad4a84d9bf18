/**
 * The 'fiscal.register' job: registers a pending receipt, then polls its report until done or fail.
 * ATOL is never called inside a transaction: claim the run (transaction 1: take the slot, count the
 * attempt), call ATOL, record the answer and schedule the next run (transaction 2, under the row lock,
 * checking the receipt is still in the claimed generation and status).
 *
 * - No answer, a timeout, a server error: the registration is sent again later with the same document
 *   and external id; if ATOL had registered it, it answers error 33 with the first uuid, so a receipt is
 *   registered once however many times it is sent.
 * - Rejected (bad data or credentials): the receipt fails with ATOL's text; a retry from the cabinet
 *   sends a corrected document under a new external id.
 * - wait: polled again with backoff, at most one report request per second per group (fiscal.schedule.ts).
 * - done: the fiscal data, the whole report and the QR code text are stored, and the buyer's e-mail
 *   with them is enqueued in the same transaction (fiscal.mail.ts); fail: ATOL's error.
 */
import type { Transaction, Updateable } from 'kysely';
import type { Deps } from '../../deps.js';
import type { JobContext, JobHandler } from '../../platform/jobs.js';
import type { Database } from '../../schema.js';
import { accountOf, findFiscalSettingsRow } from './fiscal-settings.service.js';
import {
  describeFiscalError,
  FiscalProviderUnavailableError,
  type FiscalAccount,
  type FiscalData,
  type FiscalProvider,
  type RegistrationAnswer,
  type ReportAnswer,
} from './fiscal.provider.js';
import { enqueueBuyerReceiptMail } from './fiscal.mail.js';
import { buildFiscalQr } from './fiscal.qr.js';
import {
  parseFiscalJob,
  pollDelayMs,
  registrationRetryDelayMs,
  reserveReportSlot,
  scheduleReceiptRun,
  type FiscalJob,
} from './fiscal.schedule.js';
import {
  withFiscalTablesInTransaction,
  type FiscalReceiptRow,
  type FiscalReceiptStatus,
  type FiscalReceiptsTable,
} from './fiscal.tables.js';
import type { AtolDocument } from './providers/atol.document.js';

interface ClaimedRun {
  readonly receipt: FiscalReceiptRow;
  /** Null when no call can be made; why is in `refusal`. */
  readonly account: FiscalAccount | null;
  readonly refusal: string | null;
}

const ATTEMPTS_RAN_OUT =
  'Автоматические попытки закончились: повторите из кабинета. / Automatic attempts ran out: retry from the cabinet.';
const POLLS_RAN_OUT =
  'ATOL ещё не обработал чек; проверки остановлены: повторите из кабинета. / ATOL has not finished the receipt; checks stopped: retry from the cabinet.';
const SWITCHED_OFF = 'Фискализация для магазина выключена. / Fiscalisation is switched off for the shop.';
const NO_CREDENTIALS =
  'Нет логина или пароля ATOL в настройках магазина. / The shop has no ATOL login or password.';

/**
 * Takes the receipt's slot (see fiscal.schedule.ts) and counts a registration attempt. A job whose slot
 * was replaced does nothing; a job run again after its worker died mid-run (slot already taken) goes on.
 */
async function claimRun(deps: Deps, job: FiscalJob, isRunAgain: boolean): Promise<ClaimedRun | undefined> {
  return deps.db.transaction().execute(async (trx) => {
    const tables = withFiscalTablesInTransaction(trx);
    const receipt = await tables
      .selectFrom('fiscal_receipts')
      .selectAll()
      .where('id', '=', job.receiptId)
      .forUpdate()
      .executeTakeFirst();
    if (!receipt || (receipt.status !== 'pending' && receipt.status !== 'wait')) return undefined;
    const isThisSlot = receipt.next_attempt_at?.getTime() === job.scheduledFor.getTime();
    if (!isThisSlot && !(isRunAgain && receipt.next_attempt_at === null)) return undefined;
    const now = deps.clock.now();
    const counted = receipt.status === 'pending' ? { attempts: receipt.attempts + 1 } : {};
    const claimed = await tables
      .updateTable('fiscal_receipts')
      .set({ next_attempt_at: null, last_attempt_at: now, updated_at: now, ...counted })
      .where('id', '=', receipt.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const settings = await findFiscalSettingsRow(trx, receipt.shop_id);
    const place = { baseUrl: receipt.base_url, groupCode: receipt.group_code };
    const account = settings ? accountOf(settings, deps.config.masterKey, place) : null;
    // A registered document is followed to its end even after the shop switched fiscalisation off.
    const isOff = receipt.status === 'pending' && settings?.provider !== 'atol';
    if (isOff) return { receipt: claimed, account: null, refusal: SWITCHED_OFF };
    return { receipt: claimed, account, refusal: account ? null : NO_CREDENTIALS };
  });
}

/** The receipt under its row lock, if it is still in the claimed generation and status. */
async function lockCurrent(
  trx: Transaction<Database>,
  claimed: FiscalReceiptRow,
  status: FiscalReceiptStatus,
): Promise<FiscalReceiptRow | undefined> {
  const current = await withFiscalTablesInTransaction(trx)
    .selectFrom('fiscal_receipts')
    .selectAll()
    .where('id', '=', claimed.id)
    .forUpdate()
    .executeTakeFirst();
  return current && current.generation === claimed.generation && current.status === status
    ? current
    : undefined;
}

type Changes = Updateable<FiscalReceiptsTable>;

/**
 * Writes `changes` if the receipt is still as claimed; then, unless someone else has scheduled it
 * meanwhile (a callback), schedules its next run at `nextAt` (none when null).
 */
async function record(
  deps: Deps,
  claimed: FiscalReceiptRow,
  changes: (current: FiscalReceiptRow) => { readonly set: Changes; readonly nextAt: Date | null },
  afterChange?: (trx: Transaction<Database>, receiptId: string) => Promise<void>,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const current = await lockCurrent(trx, claimed, claimed.status);
    if (!current) return;
    const { set, nextAt } = changes(current);
    await withFiscalTablesInTransaction(trx)
      .updateTable('fiscal_receipts')
      .set({ ...set, updated_at: deps.clock.now() })
      .where('id', '=', current.id)
      .execute();
    if (afterChange) await afterChange(trx, current.id);
    if (nextAt !== null && current.next_attempt_at === null)
      await scheduleReceiptRun(trx, deps.clock, current.id, nextAt);
  });
}

function recordFailure(deps: Deps, claimed: FiscalReceiptRow, error: string): Promise<void> {
  const now = deps.clock.now();
  return record(deps, claimed, () => ({
    set: { status: 'fail', error: error.slice(0, 2000), failed_at: now, next_attempt_at: null },
    nextAt: null,
  }));
}

/** No usable answer to a registration: the same document again after a pause, while attempts remain. */
function recordRegistrationProblem(deps: Deps, claimed: FiscalReceiptRow, problem: string): Promise<void> {
  return record(deps, claimed, (current) => {
    const hasAttemptsLeft = current.attempts < current.attempt_limit;
    const delayMs = registrationRetryDelayMs(current.attempts);
    return {
      set: { error: (hasAttemptsLeft ? problem : `${problem} ${ATTEMPTS_RAN_OUT}`).slice(0, 2000) },
      nextAt: hasAttemptsLeft ? new Date(deps.clock.now().getTime() + delayMs) : null,
    };
  });
}

function withCallback(deps: Deps, receipt: FiscalReceiptRow): AtolDocument {
  const callbackUrl = `${deps.config.publicUrl}/fiscal/atol/callback/${receipt.id}`;
  const document = receipt.request as AtolDocument;
  return callbackUrl.length <= 256 ? { ...document, service: { callback_url: callbackUrl } } : document;
}

async function registerClaimed(deps: Deps, provider: FiscalProvider, run: ClaimedRun, context: JobContext) {
  const { receipt } = run;
  if (!run.account) return recordFailure(deps, receipt, run.refusal ?? NO_CREDENTIALS);
  let answer: RegistrationAnswer;
  try {
    answer = await provider.register(run.account, {
      operation: receipt.kind,
      document: withCallback(deps, receipt),
    });
  } catch (error) {
    if (!(error instanceof FiscalProviderUnavailableError)) throw error;
    context.logger.warn(
      { receiptId: receipt.id, problem: error.message },
      'fiscal registration got no answer',
    );
    return recordRegistrationProblem(deps, receipt, error.message);
  }
  if (answer.outcome === 'rejected') return recordFailure(deps, receipt, describeFiscalError(answer.error));
  const uuid = answer.uuid;
  return record(deps, receipt, () => ({
    set: { status: 'wait', uuid, error: null, polls: 0 },
    nextAt: new Date(deps.clock.now().getTime() + pollDelayMs(0)),
  }));
}

/** A poll that did not end the receipt: counted, and the next one scheduled while polls remain. */
function recordPollWithoutEnd(deps: Deps, claimed: FiscalReceiptRow, problem: string | null): Promise<void> {
  return record(deps, claimed, (current) => {
    const polls = current.polls + 1;
    const hasPollsLeft = polls < current.poll_limit;
    const error = hasPollsLeft ? problem : `${problem ?? ''} ${POLLS_RAN_OUT}`.trim();
    return {
      set: { polls, error: error?.slice(0, 2000) ?? null },
      nextAt: hasPollsLeft ? new Date(deps.clock.now().getTime() + pollDelayMs(polls)) : null,
    };
  });
}

function fiscalColumns(receipt: FiscalReceiptRow, fiscal: FiscalData, report: unknown, now: Date) {
  const qr = buildFiscalQr({ ...fiscal, kind: receipt.kind });
  return {
    status: 'done' as const,
    error: null,
    done_at: now,
    next_attempt_at: null,
    fn_number: fiscal.fnNumber,
    fiscal_document_number: fiscal.fiscalDocumentNumber,
    fiscal_document_attribute: fiscal.fiscalDocumentAttribute,
    fiscal_receipt_number: fiscal.fiscalReceiptNumber,
    shift_number: fiscal.shiftNumber,
    receipt_datetime: fiscal.receiptDatetime,
    registered_at: fiscal.registeredAt,
    fiscal_total_minor: fiscal.totalMinor,
    ecr_registration_number: fiscal.ecrRegistrationNumber,
    ofd_inn: fiscal.ofdInn,
    ofd_receipt_url: fiscal.ofdReceiptUrl,
    fns_site: fiscal.fnsSite,
    qr: qr ?? '',
    report: JSON.stringify(report),
  };
}

/** Holds the group's report pace: answers false when the run was moved to its reserved second. */
async function takeReportSlot(deps: Deps, receipt: FiscalReceiptRow, job: FiscalJob): Promise<boolean> {
  if (job.hasReportSlot) return true;
  const now = deps.clock.now();
  const slotAt = await reserveReportSlot(deps.db, `${receipt.base_url}\n${receipt.group_code}`, now);
  if (slotAt.getTime() <= now.getTime()) return true;
  await deps.db.transaction().execute(async (trx) => {
    const current = await lockCurrent(trx, receipt, 'wait');
    if (current && current.next_attempt_at === null)
      await scheduleReceiptRun(trx, deps.clock, current.id, slotAt, true);
  });
  return false;
}

async function pollClaimed(
  deps: Deps,
  provider: FiscalProvider,
  run: ClaimedRun,
  job: FiscalJob,
  context: JobContext,
) {
  const { receipt } = run;
  if (!run.account || receipt.uuid === null)
    return recordPollWithoutEnd(deps, receipt, run.refusal ?? NO_CREDENTIALS);
  if (!(await takeReportSlot(deps, receipt, job))) return;
  let answer: ReportAnswer;
  try {
    answer = await provider.fetchReport(run.account, receipt.uuid);
  } catch (error) {
    if (!(error instanceof FiscalProviderUnavailableError)) throw error;
    context.logger.warn({ receiptId: receipt.id, problem: error.message }, 'fiscal report got no answer');
    return recordPollWithoutEnd(deps, receipt, error.message);
  }
  if (answer.status === 'wait') return recordPollWithoutEnd(deps, receipt, null);
  if (answer.status === 'fail') return recordFailure(deps, receipt, describeFiscalError(answer.error));
  const { fiscal, report } = answer;
  // The buyer's e-mail with the fiscal data goes in the transaction that records 'done'.
  return record(
    deps,
    receipt,
    (current) => ({
      set: { ...fiscalColumns(receipt, fiscal, report, deps.clock.now()), polls: current.polls + 1 },
      nextAt: null,
    }),
    (trx, receiptId) => enqueueBuyerReceiptMail(trx, deps, receiptId),
  );
}

export function createFiscalRegisterHandler(deps: Deps, provider: FiscalProvider): JobHandler {
  return async (payload, context) => {
    const job = parseFiscalJob(payload);
    const run = await claimRun(deps, job, context.attempt > 1);
    if (!run) {
      context.logger.debug({ receiptId: job.receiptId }, 'fiscal job is stale: skipped');
      return;
    }
    if (run.receipt.status === 'pending') await registerClaimed(deps, provider, run, context);
    else await pollClaimed(deps, provider, run, job, context);
  };
}
