/** Small request helpers shared by every HTTP surface. */
import { parse as parseQueryString } from 'fast-querystring';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pickLanguage, type Language } from '../i18n.js';

export const LANGUAGE_COOKIE = 'kopek_lang';

export function requestLanguage(request: FastifyRequest): Language {
  return pickLanguage(request.cookies?.[LANGUAGE_COOKIE], request.headers['accept-language']);
}

export function clientIp(request: FastifyRequest): string {
  return request.ip;
}

export function sendNoContent(reply: FastifyReply): FastifyReply {
  return reply.code(204).send();
}

const RAW_FORM_TEXT = Symbol('rawFormText');

/**
 * The form-body parser: fields as usual, plus the raw text kept out of sight (not enumerable), for
 * protocols that must decode it another way (Robokassa's Encoding=windows-1251).
 */
export function parseFormBody(text: string): Record<string, unknown> {
  const fields = parseQueryString(text) as Record<string, unknown>;
  Object.defineProperty(fields, RAW_FORM_TEXT, { value: text, enumerable: false });
  return fields;
}

export function rawFormText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const raw = (body as { [RAW_FORM_TEXT]?: unknown })[RAW_FORM_TEXT];
  return typeof raw === 'string' ? raw : undefined;
}

/** The query string exactly as the client sent it, before any decoding. */
export function rawQueryText(request: FastifyRequest): string {
  const url = request.raw.url ?? '';
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start + 1);
}

/** True when a string anywhere in the value (params, query or a parsed body) holds a NUL character. */
export function containsNulCharacter(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, item]) => key.includes('\u0000') || containsNulCharacter(item, depth + 1),
  );
}
