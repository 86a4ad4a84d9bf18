/**
 * The ATOL Online sandbox that ships with Kopek (development and tests only; never mounted in
 * production). It speaks ATOL's v5 protocol over HTTP under /atol-sandbox/possystem/v5/ and keeps its
 * state in its own tables, as ATOL keeps it on its side, so every node and restart sees the same
 * documents: accounts with their group (ATOL's public test account is built in), tokens that live 24
 * hours, and registered documents unique per group and external_id.
 *
 * It checks what ATOL checks: the token (10 missing or unknown, 11 expired, 20 another group's), the
 * operation (31), the content type (41), the document's schema (32), a repeated external_id (33 with the
 * first uuid); the register's own refusals come later in the report (see atol-sandbox.validation.ts).
 * A document answers `wait` with error 34 until it is ready, then `done` with realistic fiscal data
 * (FN number, document numbers, shifts by the Moscow date, fiscal sign) or `fail`; when it finishes, its
 * report is POSTed to its callback_url.
 *
 * Test controls (per group, in `behaviour`): outcome done|fail (and the error), waitPolls (polls that
 * answer wait first), waitSeconds (of the injected clock), answerDelayMs for the next delayedAnswers
 * registrations (the document is stored first, then the answer is late: a client timeout), the next
 * unavailableAnswers requests answer HTTP 500 / error 50 and do nothing, tokenLifetimeSeconds; and
 * expireTokens(). The control API in atol-sandbox.routes.ts calls these functions.
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logger.js';
import type { Database } from '../../../schema.js';
import {
  withFiscalTables,
  withFiscalTablesInTransaction,
  type AtolSandboxDocumentRow,
  type AtolSandboxGroupRow,
  type FiscalDatabase,
} from '../fiscal.tables.js';
import { formatAtolTimestamp } from './atol.document.js';
import {
  CALLBACK_URL_PATTERN,
  checkDocumentSchema,
  findRegisterError,
  type RegisterError,
} from './atol-sandbox.validation.js';

export const SANDBOX_PATH = '/atol-sandbox';

/** ATOL's published v5 test account (test_sreda.txt); the sandbox knows it without being told. */
export const SANDBOX_PUBLIC_ACCOUNT = {
  login: 'v5-online-atol-ru',
  password: 'zUr0OxfI',
  groupCode: 'v5-online-atol-ru_5179',
  inn: '5544332219',
  paymentAddress: 'https://v5.online.atol.ru',
} as const;

export interface SandboxBehaviour {
  readonly outcome: 'done' | 'fail';
  readonly failError: RegisterError;
  readonly waitPolls: number;
  readonly waitSeconds: number;
  readonly answerDelayMs: number;
  readonly delayedAnswers: number;
  readonly unavailableAnswers: number;
  readonly tokenLifetimeSeconds: number;
}

export const DEFAULT_BEHAVIOUR: SandboxBehaviour = {
  outcome: 'done',
  failError: { code: 2009, type: 'agent', text: 'Произошел сбой кассы: чек не пробит (песочница)' },
  waitPolls: 0,
  waitSeconds: 0,
  answerDelayMs: 0,
  delayedAnswers: 0,
  unavailableAnswers: 0,
  tokenLifetimeSeconds: 86_400,
};

export interface SandboxGroupSettings {
  readonly login?: string | undefined;
  readonly password?: string | undefined;
  readonly inn?: string | undefined;
  readonly behaviour?: Partial<SandboxBehaviour> | undefined;
}

/** What a sandbox endpoint answers: an HTTP status, ATOL's JSON, and how long to hold the answer. */
export interface SandboxAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly delayMs?: number;
}

export interface SandboxDocumentView {
  readonly uuid: string;
  readonly externalId: string;
  readonly operation: string;
  readonly status: string;
  readonly timesReceived: number;
  readonly polls: number;
  readonly callbackUrl: string | null;
  readonly callbackResult: string | null;
}

const OFD_INN = '7709364346';
const CALLBACK_TIMEOUT_MS = 5_000;
const MAX_PROCESSED_PER_RUN = 100;

const ERROR_TEXTS: Record<number, string> = {
  10: 'MissingToken: токен не передан или не найден',
  11: 'ExpiredToken: срок действия токена истёк',
  12: 'WrongLoginOrPassword: неверный логин или пароль',
  20: 'GroupCodeAndTokenDontMatch: код группы не соответствует токену',
  30: 'MissingUuid: документ с таким uuid не найден',
  31: 'IncomingOperationNotSupported: операция не поддерживается',
  32: 'IncomingValidationException',
  33: 'IncomingExternalIdAlreadyExists: документ с таким external_id уже существует',
  34: 'StateCheckNotFound: документ ещё не обработан',
  41: 'UnsupportedMediaType: нужен Content-Type application/json; charset=utf-8',
  50: 'ErrorServerConfiguration: сервис временно недоступен (песочница)',
};

function behaviourOf(group: Pick<AtolSandboxGroupRow, 'behaviour'>): SandboxBehaviour {
  return { ...DEFAULT_BEHAVIOUR, ...(group.behaviour as Partial<SandboxBehaviour>) };
}

/** Stable, register-looking numbers per group: a 16-digit FN serial and a 16-digit registration number. */
function registerNumbers(groupCode: string) {
  const digits = BigInt(`0x${createHash('sha256').update(groupCode).digest('hex').slice(0, 24)}`)
    .toString()
    .padStart(24, '0');
  return { fnNumber: `9999${digits.slice(0, 12)}`, ecrNumber: `000${digits.slice(12, 25).padEnd(13, '0')}` };
}

export class AtolSandbox {
  private isPublicGroupReady = false;

  constructor(
    private readonly options: {
      readonly db: Kysely<Database>;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly fetchImpl?: typeof fetch;
    },
  ) {}

  private get db(): Kysely<FiscalDatabase> {
    return withFiscalTables(this.options.db);
  }

  private now(): Date {
    return this.options.clock.now();
  }

  private error(
    status: number,
    code: number,
    extra: Record<string, unknown> = {},
    text?: string,
  ): SandboxAnswer {
    const error = {
      error_id: randomUUID(),
      code,
      text: text ?? ERROR_TEXTS[code] ?? 'Ошибка',
      type: 'system',
    };
    return { status, body: { ...extra, error, timestamp: formatAtolTimestamp(this.now()) } };
  }

  /** ATOL's public test account exists from the start, as it does at ATOL. */
  private async ensurePublicGroup(): Promise<void> {
    if (this.isPublicGroupReady) return;
    const numbers = registerNumbers(SANDBOX_PUBLIC_ACCOUNT.groupCode);
    await this.db
      .insertInto('atol_sandbox_groups')
      .values({
        group_code: SANDBOX_PUBLIC_ACCOUNT.groupCode,
        login: SANDBOX_PUBLIC_ACCOUNT.login,
        password: SANDBOX_PUBLIC_ACCOUNT.password,
        inn: SANDBOX_PUBLIC_ACCOUNT.inn,
        fn_number: numbers.fnNumber,
        ecr_registration_number: numbers.ecrNumber,
        created_at: this.now(),
      })
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    this.isPublicGroupReady = true;
  }

  /** Creates or changes a group (an account with its register); behaviour is merged into the current. */
  async configureGroup(groupCode: string, settings: SandboxGroupSettings): Promise<void> {
    await this.ensurePublicGroup();
    const existing = await this.db
      .selectFrom('atol_sandbox_groups')
      .selectAll()
      .where('group_code', '=', groupCode)
      .executeTakeFirst();
    const behaviour = JSON.stringify({ ...(existing?.behaviour ?? {}), ...(settings.behaviour ?? {}) });
    if (existing) {
      await this.db
        .updateTable('atol_sandbox_groups')
        .set({
          login: settings.login ?? existing.login,
          password: settings.password ?? existing.password,
          inn: settings.inn ?? existing.inn,
          behaviour,
        })
        .where('group_code', '=', groupCode)
        .execute();
      return;
    }
    if (!settings.login || !settings.password || !settings.inn)
      throw new Error('a new sandbox group needs a login, a password and an INN');
    const numbers = registerNumbers(groupCode);
    await this.db
      .insertInto('atol_sandbox_groups')
      .values({
        group_code: groupCode,
        login: settings.login,
        password: settings.password,
        inn: settings.inn,
        behaviour,
        fn_number: numbers.fnNumber,
        ecr_registration_number: numbers.ecrNumber,
        created_at: this.now(),
      })
      .execute();
  }

  /** Every live token of the group's login expires now: the next call with one answers error 11. */
  async expireTokens(groupCode: string): Promise<number> {
    const group = await this.findGroup(groupCode);
    if (!group) return 0;
    const result = await this.db
      .updateTable('atol_sandbox_tokens')
      .set({ expires_at: new Date(this.now().getTime() - 1) })
      .where('login', '=', group.login)
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async listDocuments(groupCode: string): Promise<SandboxDocumentView[]> {
    const rows = await this.db
      .selectFrom('atol_sandbox_documents')
      .selectAll()
      .where('group_code', '=', groupCode)
      .orderBy('created_at')
      .orderBy('uuid')
      .limit(1000)
      .execute();
    return rows.map((row) => ({
      uuid: row.uuid,
      externalId: row.external_id,
      operation: row.operation,
      status: row.status,
      timesReceived: row.times_received,
      polls: row.polls,
      callbackUrl: row.callback_url,
      callbackResult: row.callback_result,
    }));
  }

  private async findGroup(groupCode: string): Promise<AtolSandboxGroupRow | undefined> {
    await this.ensurePublicGroup();
    return this.db
      .selectFrom('atol_sandbox_groups')
      .selectAll()
      .where('group_code', '=', groupCode)
      .executeTakeFirst();
  }

  /** Spends one of the group's counted controls (unavailableAnswers, delayedAnswers) atomically. */
  private async takeCounted(
    groupCode: string,
    control: 'unavailableAnswers' | 'delayedAnswers',
  ): Promise<boolean> {
    const taken = await sql<{ group_code: string }>`
      update atol_sandbox_groups
      set behaviour = jsonb_set(behaviour, ${`{${control}}`}::text[], to_jsonb((behaviour->>${control})::int - 1))
      where group_code = ${groupCode} and coalesce((behaviour->>${control})::int, 0) > 0
      returning group_code`.execute(this.options.db);
    return taken.rows.length > 0;
  }

  async issueToken(body: unknown): Promise<SandboxAnswer> {
    await this.ensurePublicGroup();
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const login = typeof fields.login === 'string' ? fields.login : '';
    if (!/^\S{1,100}$/.test(login))
      return this.error(400, 32, { status: 'fail', token: null }, 'PatternMismatch: #/login');
    const group = await this.db
      .selectFrom('atol_sandbox_groups')
      .selectAll()
      .where('login', '=', login)
      .executeTakeFirst();
    if (group && (await this.takeCounted(group.group_code, 'unavailableAnswers')))
      return this.error(500, 50, { token: null });
    if (!group || fields.pass !== group.password) return this.error(401, 12, { token: null });
    const token = randomBytes(16).toString('hex');
    const issuedAt = this.now();
    const lifetimeMs = behaviourOf(group).tokenLifetimeSeconds * 1000;
    await this.db
      .insertInto('atol_sandbox_tokens')
      .values({ token, login, issued_at: issuedAt, expires_at: new Date(issuedAt.getTime() + lifetimeMs) })
      .execute();
    return { status: 200, body: { error: null, token, timestamp: formatAtolTimestamp(issuedAt) } };
  }

  /** The token's check for a group: the group, or the error answer (10, 11, 20). */
  private async authenticate(
    token: string | undefined,
    groupCode: string,
  ): Promise<AtolSandboxGroupRow | SandboxAnswer> {
    const row = token
      ? await this.db
          .selectFrom('atol_sandbox_tokens')
          .selectAll()
          .where('token', '=', token)
          .executeTakeFirst()
      : undefined;
    if (!row) return this.error(401, 10, { status: 'fail' });
    if (row.expires_at.getTime() <= this.now().getTime()) return this.error(401, 11, { status: 'fail' });
    const group = await this.findGroup(groupCode);
    if (!group || group.login !== row.login) return this.error(401, 20, { status: 'fail' });
    return group;
  }

  async register(request: {
    readonly groupCode: string;
    readonly operation: string;
    readonly token: string | undefined;
    readonly contentType: string | undefined;
    readonly text: string;
  }): Promise<SandboxAnswer> {
    if (await this.takeCounted(request.groupCode, 'unavailableAnswers'))
      return this.error(500, 50, { status: 'fail' });
    if (!/^application\/json/i.test(request.contentType ?? ''))
      return this.error(415, 41, { status: 'fail' });
    const group = await this.authenticate(request.token, request.groupCode);
    if ('status' in group) return group;
    if (request.operation !== 'sell' && request.operation !== 'sell_refund')
      return this.error(
        400,
        31,
        { status: 'fail' },
        `IncomingOperationNotSupported: ${request.operation.slice(0, 40)} (песочница Kopek знает sell и sell_refund)`,
      );
    let body: unknown;
    try {
      body = JSON.parse(request.text);
    } catch {
      return this.error(
        400,
        32,
        { status: 'fail', uuid: null },
        'IncomingValidationException: тело запроса не JSON',
      );
    }
    const problems = checkDocumentSchema(body);
    if (problems.length > 0)
      return this.error(
        400,
        32,
        { status: 'fail', uuid: null },
        `IncomingValidationException: ${problems.slice(0, 20).join(', ')}`,
      );
    const stored = await this.options.db
      .transaction()
      .execute((trx) => this.storeDocument(trx, group, request.operation, body));
    if (stored.isFinished) this.sendCallbackLater(stored.uuid);
    if (stored.isRepeat) return this.error(400, 33, { uuid: stored.uuid, status: 'wait' });
    const delayMs = (await this.takeCounted(group.group_code, 'delayedAnswers'))
      ? behaviourOf(group).answerDelayMs
      : 0;
    return {
      status: 200,
      body: { uuid: stored.uuid, timestamp: formatAtolTimestamp(this.now()), error: null, status: 'wait' },
      delayMs,
    };
  }

  /** Stores a new document (or counts a repeat) under the group's lock; finishes it at once when nothing makes it wait. */
  private async storeDocument(
    trx: Transaction<Database>,
    group: AtolSandboxGroupRow,
    operation: string,
    body: unknown,
  ) {
    const db = withFiscalTablesInTransaction(trx);
    const locked = await db
      .selectFrom('atol_sandbox_groups')
      .selectAll()
      .where('group_code', '=', group.group_code)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const document = body as { external_id: string; service?: { callback_url?: unknown } };
    const existing = await db
      .updateTable('atol_sandbox_documents')
      .set({ times_received: sql<number>`times_received + 1` })
      .where('group_code', '=', group.group_code)
      .where('external_id', '=', document.external_id)
      .returning('uuid')
      .executeTakeFirst();
    if (existing) return { uuid: existing.uuid, isRepeat: true, isFinished: false };
    const behaviour = behaviourOf(locked);
    const plannedError =
      findRegisterError(body, locked.inn) ?? (behaviour.outcome === 'fail' ? behaviour.failError : null);
    const callbackUrl =
      typeof document.service?.callback_url === 'string' ? document.service.callback_url : null;
    const now = this.now();
    const inserted = await db
      .insertInto('atol_sandbox_documents')
      .values({
        uuid: randomUUID(),
        group_code: group.group_code,
        external_id: document.external_id,
        operation,
        body: JSON.stringify(body),
        status: 'wait',
        planned_error: plannedError ? JSON.stringify(plannedError) : null,
        error: null,
        payload: null,
        wait_polls: behaviour.waitPolls,
        ready_at: new Date(now.getTime() + behaviour.waitSeconds * 1000),
        callback_url: callbackUrl,
        callback_warning:
          callbackUrl !== null && !CALLBACK_URL_PATTERN.test(callbackUrl)
            ? 'callback_url не соответствует маске'
            : null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const isFinished = this.isReady(inserted) && (await this.finish(trx, inserted));
    return { uuid: inserted.uuid, isRepeat: false, isFinished };
  }

  private isReady(document: AtolSandboxDocumentRow): boolean {
    return document.polls >= document.wait_polls && document.ready_at.getTime() <= this.now().getTime();
  }

  /** The register prints the document (or refuses it): numbers from the group's counters, under its lock. */
  private async finish(trx: Transaction<Database>, document: AtolSandboxDocumentRow): Promise<boolean> {
    const db = withFiscalTablesInTransaction(trx);
    const now = this.now();
    if (document.planned_error) {
      const error = { error_id: randomUUID(), ...(document.planned_error as RegisterError) };
      await db
        .updateTable('atol_sandbox_documents')
        .set({ status: 'fail', error: JSON.stringify(error), finished_at: now })
        .where('uuid', '=', document.uuid)
        .execute();
      return true;
    }
    const shiftDate = formatAtolTimestamp(now).slice(0, 10);
    const group = await db
      .updateTable('atol_sandbox_groups')
      .set((eb) => ({
        last_document_number: eb('last_document_number', '+', 1),
        shift_number: sql<number>`case when shift_date is null or shift_date = ${shiftDate} then shift_number else shift_number + 1 end`,
        receipts_in_shift: sql<number>`case when shift_date is null or shift_date = ${shiftDate} then receipts_in_shift + 1 else 1 end`,
        shift_date: shiftDate,
      }))
      .where('group_code', '=', document.group_code)
      .returningAll()
      .executeTakeFirstOrThrow();
    const attribute = randomInt(1, 4_294_967_295);
    const receipt = (document.body as { receipt: { total: number } }).receipt;
    const payload = {
      fiscal_receipt_number: group.receipts_in_shift,
      shift_number: group.shift_number,
      receipt_datetime: formatAtolTimestamp(now),
      total: receipt.total,
      fn_number: group.fn_number,
      ecr_registration_number: group.ecr_registration_number,
      fiscal_document_number: group.last_document_number,
      fiscal_document_attribute: attribute,
      fns_site: 'www.nalog.gov.ru',
      ofd_inn: OFD_INN,
      ofd_receipt_url: `https://consumer.1-ofd-test.ru/v1?fn=${group.fn_number}&fp=${attribute}&i=${group.last_document_number}`,
    };
    await db
      .updateTable('atol_sandbox_documents')
      .set({ status: 'done', payload: JSON.stringify(payload), finished_at: now })
      .where('uuid', '=', document.uuid)
      .execute();
    return true;
  }

  private reportBody(document: AtolSandboxDocumentRow): Record<string, unknown> {
    const isWaiting = document.status === 'wait';
    const waitError = { error_id: randomUUID(), code: 34, text: ERROR_TEXTS[34], type: 'system' };
    return {
      uuid: document.uuid,
      timestamp: formatAtolTimestamp(this.now()),
      status: document.status,
      error: isWaiting ? waitError : (document.error ?? null),
      group_code: document.group_code,
      daemon_code: 'kopek-sandbox',
      device_code: isWaiting ? null : 'KKT-SANDBOX-1',
      external_id: document.external_id,
      callback_url: document.callback_url ?? '',
      warnings: document.callback_warning ? { callback_url: document.callback_warning } : null,
      payload: document.payload ?? null,
    };
  }

  async report(request: {
    readonly groupCode: string;
    readonly uuid: string;
    readonly token: string | undefined;
  }): Promise<SandboxAnswer> {
    if (await this.takeCounted(request.groupCode, 'unavailableAnswers'))
      return this.error(500, 50, { status: 'fail' });
    const group = await this.authenticate(request.token, request.groupCode);
    if ('status' in group) return group;
    const outcome = await this.options.db.transaction().execute(async (trx) => {
      const db = withFiscalTablesInTransaction(trx);
      const document = await db
        .selectFrom('atol_sandbox_documents')
        .selectAll()
        .where('uuid', '=', request.uuid)
        .where('group_code', '=', group.group_code)
        .forUpdate()
        .executeTakeFirst();
      if (!document) return undefined;
      if (document.status !== 'wait') return { document, isFinished: false };
      // waitPolls polls answer wait; the next one after them finds the document printed.
      const isReady = this.isReady(document);
      const polled = await db
        .updateTable('atol_sandbox_documents')
        .set({ polls: sql<number>`polls + 1` })
        .where('uuid', '=', document.uuid)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (!isReady) return { document: polled, isFinished: false };
      await this.finish(trx, polled);
      const finished = await db
        .selectFrom('atol_sandbox_documents')
        .selectAll()
        .where('uuid', '=', document.uuid)
        .executeTakeFirstOrThrow();
      return { document: finished, isFinished: true };
    });
    if (!outcome) return this.error(400, 30, { status: 'fail', uuid: request.uuid });
    if (outcome.isFinished) this.sendCallbackLater(outcome.document.uuid);
    return { status: 200, body: this.reportBody(outcome.document) };
  }

  /** Finishes documents that became ready with time alone (waitSeconds); answers how many. */
  async processDueDocuments(): Promise<number> {
    const due = await this.db
      .selectFrom('atol_sandbox_documents')
      .select('uuid')
      .where('status', '=', 'wait')
      .where('ready_at', '<=', this.now())
      .whereRef('polls', '>=', 'wait_polls')
      .orderBy('created_at')
      .limit(MAX_PROCESSED_PER_RUN)
      .execute();
    let finished = 0;
    for (const { uuid } of due) {
      const isFinished = await this.options.db.transaction().execute(async (trx) => {
        const document = await withFiscalTablesInTransaction(trx)
          .selectFrom('atol_sandbox_documents')
          .selectAll()
          .where('uuid', '=', uuid)
          .forUpdate()
          .executeTakeFirstOrThrow();
        return document.status === 'wait' && this.isReady(document) && this.finish(trx, document);
      });
      if (isFinished) {
        finished += 1;
        this.sendCallbackLater(uuid);
      }
    }
    return finished;
  }

  /** After the answer: a callback never delays nor fails the request that finished the document. */
  private sendCallbackLater(uuid: string): void {
    this.deliverCallback(uuid).catch((error: unknown) =>
      this.options.logger.warn({ err: error, uuid }, 'atol sandbox: callback bookkeeping failed'),
    );
  }

  /** POSTs the report to the document's callback_url once, and records what happened. */
  async deliverCallback(uuid: string): Promise<void> {
    const document = await this.db
      .selectFrom('atol_sandbox_documents')
      .selectAll()
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    if (!document?.callback_url || document.callback_warning || document.status === 'wait') return;
    let result: string;
    try {
      const response = await (this.options.fetchImpl ?? fetch)(document.callback_url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(this.reportBody(document)),
        signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
        redirect: 'manual',
      });
      await response.body?.cancel().catch(() => undefined);
      result = `HTTP ${response.status}`;
    } catch (error) {
      result = `failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
    }
    await this.db
      .updateTable('atol_sandbox_documents')
      .set({ callback_result: result, callback_at: this.now() })
      .where('uuid', '=', uuid)
      .execute();
  }
}
