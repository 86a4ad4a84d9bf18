/**
 * One delivery attempt over HTTP, with no database in sight: build the request from the stored fields,
 * refuse private destinations when asked to, call with a deadline, read a bounded part of the answer
 * and judge it. Every merchant-side problem (bad URL, refused address, DNS failure, connection refused,
 * timeout, redirect, wrong answer) becomes an outcome to record, never an exception.
 */
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { isPrivateHost } from '../../platform/network.js';

export const USER_AGENT = 'Kopek-Notifications/1';
/** More than any acknowledgement needs; a merchant's error page is cut here. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
export const MAX_EXCERPT_CHARACTERS = 500;
const MAX_ERROR_CHARACTERS = 1000;
const MAX_REQUEST_LINE_CHARACTERS = 2000;

export interface DeliveryRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly fields: readonly (readonly [string, string])[];
  /** null: any 2xx answer acknowledges (ResultUrl2). */
  readonly expectedBody: string | null;
  /** Posted as the whole body instead of the fields (a JWS for ResultUrl2). */
  readonly body?: { readonly text: string; readonly contentType: string } | undefined;
}

export interface DeliverySettings {
  readonly fetchImpl: typeof fetch;
  readonly resolveHost: (host: string) => Promise<string[]>;
  readonly timeoutMs: number;
  /** Production refuses loopback, private, link-local and CGNAT destinations, named or resolved. */
  readonly isDestinationChecked: boolean;
}

export interface AttemptOutcome {
  readonly durationMs: number;
  readonly requestLine: string;
  readonly responseStatus: number | null;
  readonly responseExcerpt: string | null;
  readonly error: string | null;
  readonly isSuccess: boolean;
}

/** A problem found before or instead of an HTTP answer, worded for the merchant's attempt log. */
class DeliveryProblem extends Error {}

export async function resolveHostAddresses(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

/**
 * application/x-www-form-urlencoded as encodeURIComponent writes it (UTF-8 percent escapes, upper-case
 * hex), with a space as '+'. Used for the POST body and the GET query alike, in the stored field order.
 */
export function encodeFormFields(fields: readonly (readonly [string, string])[]): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
  return fields.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');
}

/** The merchant's URL with the fields added to its query: its own parameters stay first. */
export function appendQuery(url: URL, query: string): string {
  const base = url.search === '' ? url.href.replace(/\?$/, '') : url.href;
  if (query === '') return base;
  const separator = url.search === '' ? '?' : base.endsWith('&') ? '' : '&';
  return base + separator + query;
}

/** What the attempt log shows: method and the merchant's URL, never the fields (they carry signatures). */
function describeRequestLine(method: string, url: URL): string {
  return `${method} ${url.origin}${url.pathname}${url.search}`.slice(0, MAX_REQUEST_LINE_CHARACTERS);
}

function parseTarget(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DeliveryProblem('the URL is not valid');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new DeliveryProblem(`only http and https URLs are called, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '')
    throw new DeliveryProblem('URLs with a user name or password are not called');
  url.hash = '';
  return url;
}

/** Rejects when the signal aborts first: DNS lookups have no deadline of their own. */
function withDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The name and every address it resolves to must be public. This early check gives the merchant a clear
 * reason in the attempt log; the connection itself resolves the name again, and in production its
 * address is checked once more at that moment (createPublicOnlyFetch), so a DNS answer that changes in
 * between (DNS rebinding) is refused too.
 */
async function checkDestination(settings: DeliverySettings, hostname: string, signal: AbortSignal) {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isPrivateHost(host)) throw new DeliveryProblem(`refused: ${host} is a loopback or private address`);
  let addresses: string[];
  try {
    addresses = await withDeadline(settings.resolveHost(host), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new DeliveryProblem(`cannot resolve ${host}: ${describeError(error)}`);
  }
  if (addresses.length === 0) throw new DeliveryProblem(`cannot resolve ${host}: no addresses`);
  const privateAddress = addresses.find((address) => isPrivateHost(address));
  if (privateAddress !== undefined)
    throw new DeliveryProblem(`refused: ${host} resolves to the private address ${privateAddress}`);
}

function buildFetchArguments(
  request: DeliveryRequest,
  target: URL,
  signal: AbortSignal,
): [string, RequestInit] {
  const encoded = encodeFormFields(request.fields);
  const common = { method: request.method, redirect: 'manual', signal } as const;
  if (request.body) {
    const headers = { 'User-Agent': USER_AGENT, 'Content-Type': request.body.contentType };
    return [target.href, { ...common, method: 'POST', headers, body: request.body.text }];
  }
  if (request.method === 'GET') {
    return [appendQuery(target, encoded), { ...common, headers: { 'User-Agent': USER_AGENT } }];
  }
  const headers = { 'User-Agent': USER_AGENT, 'Content-Type': 'application/x-www-form-urlencoded' };
  return [target.href, { ...common, headers, body: encoded }];
}

/** Reads at most maxBytes of the body, then lets the rest go. */
async function readLimitedText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value.subarray(0, maxBytes - total);
      chunks.push(chunk);
      total += chunk.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function excerpt(text: string): string {
  return Array.from(text).slice(0, MAX_EXCERPT_CHARACTERS).join('');
}

/** Node's fetch reports "fetch failed" and hides the reason (ECONNREFUSED, ENOTFOUND...) in `cause`. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof AggregateError && current.errors[0] !== undefined) current = current.errors[0];
    if (!(current instanceof Error)) {
      parts.push(String(current));
      break;
    }
    const code = (current as { code?: unknown }).code;
    const text = current.message || (typeof code === 'string' ? code : current.name);
    if (!parts.includes(text)) parts.push(text);
    current = current.cause;
  }
  return parts.join(': ').slice(0, MAX_ERROR_CHARACTERS);
}

function describeFailure(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `no answer within ${timeoutMs} ms`;
  if (error instanceof DeliveryProblem) return error.message.slice(0, MAX_ERROR_CHARACTERS);
  return describeError(error);
}

function describeRedirect(response: Response): string | null {
  if (response.status < 300 || response.status > 399) return null;
  const location = response.headers.get('location');
  return `redirects are not followed (${response.status} to ${location ?? 'no Location'})`.slice(
    0,
    MAX_ERROR_CHARACTERS,
  );
}

/**
 * Success means a 2xx answer whose body, trimmed, is exactly the expected text (Robokassa: "OK" + InvId),
 * or any 2xx answer when no text is expected (ResultUrl2).
 */
export async function performDeliveryAttempt(
  request: DeliveryRequest,
  settings: DeliverySettings,
): Promise<AttemptOutcome> {
  const startedMs = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedMs);
  const signal = AbortSignal.timeout(settings.timeoutMs);
  let requestLine = `${request.method} ${request.url}`.slice(0, MAX_REQUEST_LINE_CHARACTERS);
  const failure = (error: unknown, responseStatus: number | null = null): AttemptOutcome => ({
    durationMs: elapsedMs(),
    requestLine,
    responseStatus,
    responseExcerpt: null,
    error: describeFailure(error, signal, settings.timeoutMs),
    isSuccess: false,
  });
  let response: Response;
  try {
    const target = parseTarget(request.url);
    requestLine = describeRequestLine(request.method, target);
    if (settings.isDestinationChecked) await checkDestination(settings, target.hostname, signal);
    response = await settings.fetchImpl(...buildFetchArguments(request, target, signal));
  } catch (error) {
    return failure(error);
  }
  let body: string;
  try {
    body = await readLimitedText(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    return failure(error, response.status);
  }
  const isSuccessStatus = response.status >= 200 && response.status <= 299;
  return {
    durationMs: elapsedMs(),
    requestLine,
    responseStatus: response.status,
    responseExcerpt: excerpt(body),
    error: describeRedirect(response),
    isSuccess: isSuccessStatus && (request.expectedBody === null || body.trim() === request.expectedBody),
  };
}
