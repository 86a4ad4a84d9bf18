/**
 * The ATOL Online v5 client: the FiscalProvider that ships with Kopek, over HTTP exactly as the protocol
 * says (reference atol-online.md §1): `POST {base}getToken`, `POST {base}{group}/sell|sell_refund`,
 * `GET {base}{group}/report/{uuid}`, the token in the `Token` header.
 *
 * - Tokens are cached per base URL, login and password, and renewed when ATOL says error 10 or 11 (the
 *   request is then sent once more with the new token), or after 23 hours of the 24 they live: ATOL
 *   recommends asking only after error 11, and a cached token saves a round trip on every receipt. The
 *   cache is per node; ATOL allows a live token per replica.
 * - Every call has a deadline (the whole answer, body included) and reads at most 64 KiB; redirects are
 *   not followed. A missing or late answer throws FiscalProviderUnavailableError and nothing else
 *   happens: the job sends the same document under the same external id later, and ATOL answers
 *   error 33 with the first uuid if it had registered it, so a receipt is never registered twice.
 * - Logs say what was called and what came back (status, ATOL's error code, duration), never the
 *   password, the token, or the document (it holds the buyer's e-mail or phone).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logger.js';
import {
  FiscalProviderUnavailableError,
  type FiscalAccount,
  type FiscalError,
  type FiscalProvider,
  type RegistrationAnswer,
  type RegistrationRequest,
  type ReportAnswer,
} from '../fiscal.provider.js';
import {
  interpretRegistration,
  interpretReport,
  interpretTokenAnswer,
  readAtolError,
  type Interpreted,
  type TokenAnswer,
} from './atol.answers.js';

export const ATOL_USER_AGENT = 'Kopek-Fiscal/1';
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Tokens live 24 hours from issue; one is asked for again an hour before that. */
export const TOKEN_RENEW_AFTER_MS = 23 * 3_600_000;
export const DEFAULT_ATOL_TIMEOUT_MS = 30_000;

export interface AtolClientOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The deadline of one HTTP call, answer included. */
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  /** ATOL's optional `source` of getToken: the integrator's name. */
  readonly source?: string;
}

interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

interface CachedToken {
  readonly token: string;
  readonly obtainedAtMs: number;
}

/** The answer of a call made with a token, or why no token could be had. */
type WithToken<T> = T | { readonly tokenError: FiscalError };

function cacheKey(account: FiscalAccount): string {
  const passwordHash = createHash('sha256').update(account.password, 'utf8').digest('hex');
  return `${account.baseUrl}\n${account.login}\n${passwordHash}`;
}

async function readLimitedText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value.subarray(0, MAX_ANSWER_BYTES - total);
      chunks.push(chunk);
      total += chunk.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Node's fetch hides the reason (ECONNREFUSED, ENOTFOUND...) in `cause`. */
function describeNetworkError(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return (code ? `${message}: ${code}` : message).slice(0, 300);
}

function isTokenRefused(answer: unknown): answer is { readonly isTokenRefused: true } {
  return typeof answer === 'object' && answer !== null && 'isTokenRefused' in answer;
}

export class AtolOnlineClient implements FiscalProvider {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly tokenRequests = new Map<string, Promise<TokenAnswer>>();
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: AtolClientOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ATOL_TIMEOUT_MS;
  }

  async register(account: FiscalAccount, request: RegistrationRequest): Promise<RegistrationAnswer> {
    const url = new URL(`${encodeURIComponent(account.groupCode)}/${request.operation}`, account.baseUrl);
    const context = { operation: request.operation, externalId: request.document.external_id };
    const answer = await this.withToken(account, async (token) => {
      const http = await this.call('POST', url, context, token, request.document);
      return interpretRegistration(http.status, http.body);
    });
    return 'tokenError' in answer ? { outcome: 'rejected', error: answer.tokenError } : answer;
  }

  async fetchReport(account: FiscalAccount, uuid: string): Promise<ReportAnswer> {
    const path = `${encodeURIComponent(account.groupCode)}/report/${encodeURIComponent(uuid)}`;
    const url = new URL(path, account.baseUrl);
    const answer = await this.withToken(account, async (token) => {
      const http = await this.call('GET', url, { operation: 'report', uuid }, token);
      return interpretReport(http.status, http.body);
    });
    // The document is registered: a credentials problem now only delays the report.
    if ('tokenError' in answer)
      throw new FiscalProviderUnavailableError(`getToken refused: error ${answer.tokenError.code ?? '?'}`);
    return answer;
  }

  /** Forgets the cached tokens (all, or one account's). */
  forgetTokens(account?: FiscalAccount): void {
    if (account) this.tokens.delete(cacheKey(account));
    else this.tokens.clear();
  }

  /**
   * Whether the service accepts the account's login and password: one fresh getToken call (the cached
   * token is not used, so a changed password shows at once). Network trouble throws
   * FiscalProviderUnavailableError, as every call does.
   */
  async checkCredentials(account: FiscalAccount): Promise<{ ok: true } | { ok: false; error: FiscalError }> {
    const answer = await this.requestToken(account);
    return 'token' in answer ? { ok: true } : { ok: false, error: answer.error };
  }

  private async withToken<T>(
    account: FiscalAccount,
    send: (token: string) => Promise<Interpreted<T>>,
  ): Promise<WithToken<T>> {
    const first = await this.obtainToken(account);
    if ('error' in first) return { tokenError: first.error };
    const answer = await send(first.token);
    if (!isTokenRefused(answer)) return answer;
    // Error 10 or 11: this token is dead; a new one, and the same request once more.
    const second = await this.obtainToken(account, first.token);
    if ('error' in second) return { tokenError: second.error };
    const retried = await send(second.token);
    if (isTokenRefused(retried)) throw new FiscalProviderUnavailableError('ATOL refused a fresh token');
    return retried;
  }

  /**
   * The cached token, unless it is old or is the one just refused; otherwise one getToken call shared
   * by every request that needs it at the same time.
   */
  private async obtainToken(account: FiscalAccount, refusedToken?: string): Promise<TokenAnswer> {
    const key = cacheKey(account);
    const cached = this.tokens.get(key);
    const isFresh =
      cached !== undefined &&
      cached.token !== refusedToken &&
      this.options.clock.now().getTime() - cached.obtainedAtMs < TOKEN_RENEW_AFTER_MS;
    if (cached && isFresh) return { token: cached.token };
    const pending = this.tokenRequests.get(key);
    if (pending) return pending;
    const request = this.requestToken(account).finally(() => this.tokenRequests.delete(key));
    this.tokenRequests.set(key, request);
    return request;
  }

  private async requestToken(account: FiscalAccount): Promise<TokenAnswer> {
    const key = cacheKey(account);
    const body = {
      login: account.login,
      pass: account.password,
      ...(this.options.source ? { source: this.options.source } : {}),
    };
    const http = await this.call(
      'POST',
      new URL('getToken', account.baseUrl),
      { operation: 'getToken' },
      null,
      body,
    );
    const answer = interpretTokenAnswer(http.status, http.body);
    if ('token' in answer)
      this.tokens.set(key, { token: answer.token, obtainedAtMs: this.options.clock.now().getTime() });
    else this.tokens.delete(key);
    return answer;
  }

  /** One HTTP exchange with a deadline; logs it without secrets. Throws only FiscalProviderUnavailableError. */
  private async call(
    method: 'GET' | 'POST',
    url: URL,
    context: Record<string, string>,
    token: string | null,
    body?: unknown,
  ): Promise<HttpAnswer> {
    const startedMs = performance.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    const headers: Record<string, string> = {
      'User-Agent': ATOL_USER_AGENT,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
      ...(token === null ? {} : { Token: token }),
    };
    const request = `${method} ${url.origin}${url.pathname}`;
    const log = { provider: 'atol', request, ...context };
    let answer: HttpAnswer;
    try {
      const init = { method, headers, signal, redirect: 'manual' as const };
      const response = await this.fetchImpl(
        url,
        body === undefined ? init : { ...init, body: JSON.stringify(body) },
      );
      answer = { status: response.status, body: parseJson(await readLimitedText(response)) };
    } catch (error) {
      const problem = signal.aborted ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(error);
      const durationMs = Math.round(performance.now() - startedMs);
      this.options.logger.warn({ ...log, durationMs, problem }, 'fiscal provider call failed');
      throw new FiscalProviderUnavailableError(`${context.operation}: ${problem}`);
    }
    this.logAnswer(log, answer, Math.round(performance.now() - startedMs));
    return answer;
  }

  private logAnswer(log: Record<string, string>, answer: HttpAnswer, durationMs: number): void {
    const fields =
      typeof answer.body === 'object' && answer.body !== null ? (answer.body as Record<string, unknown>) : {};
    const error = answer.body === undefined ? null : readAtolError(fields);
    this.options.logger.info(
      {
        ...log,
        httpStatus: answer.status,
        durationMs,
        ...(typeof fields.status === 'string' ? { atolStatus: fields.status } : {}),
        ...(typeof fields.uuid === 'string' ? { uuid: fields.uuid } : {}),
        ...(error
          ? { atolError: { code: error.code, type: error.type, text: error.text.slice(0, 300) } }
          : {}),
      },
      'fiscal provider answered',
    );
  }
}
