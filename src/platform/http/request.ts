/** Small request helpers shared by every HTTP surface. */
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
