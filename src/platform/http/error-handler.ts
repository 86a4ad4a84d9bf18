/**
 * The one error handler: AppError → its code, status and localised message; schema validation → field
 * errors; Fastify's own refusals (unparseable JSON, an unsupported content type, a body over the limit,
 * a malformed URL, no such route) → a specific platform code; anything else → logged in full and
 * answered with a generic 500 that leaks nothing.
 *
 * The answer's shape belongs to the surface the path is on: `{ error: { code, message } }` under /api
 * and by default; the Robokassa-compatible surfaces register an ErrorSurface, so that their clients read
 * a payment page, an XML Result or a Refund API answer even when Fastify refused the request before any
 * handler ran.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, commonErrors, validationError, type FieldProblem } from './errors.js';
import { requestLanguage } from './request.js';

const REQUIRED: FieldProblem = {
  code: 'required',
  text: { ru: 'Заполните это поле.', en: 'This field is required.' },
};
const INVALID: FieldProblem = {
  code: 'invalid',
  text: { ru: 'Недопустимое значение.', en: 'This value is not valid.' },
};

interface SchemaIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** A surface's own way of answering errors, for the paths that start with one of its prefixes. */
export interface ErrorSurface {
  /** Lower-case path prefixes; the first surface with a matching prefix answers. */
  readonly prefixes: readonly string[];
  present(error: AppError, request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

function fieldNameOf(issue: SchemaIssue): string {
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string')
    return issue.params.missingProperty;
  return issue.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body';
}

export function schemaValidationError(issues: readonly SchemaIssue[]): AppError {
  const fields: Record<string, FieldProblem> = {};
  for (const issue of issues) {
    const name = fieldNameOf(issue);
    fields[name] ??= issue.keyword === 'required' ? REQUIRED : INVALID;
  }
  return validationError(fields);
}

/** Fastify's refusals that happen before any handler, by their error code. */
function frameworkRefusal(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return commonErrors.invalidJson();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return commonErrors.unsupportedMediaType();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return commonErrors.payloadTooLarge();
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return commonErrors.invalidContentLength();
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return commonErrors.invalidUrl();
    default:
      return undefined;
  }
}

/** Any error as the AppError its caller hears; unexpected ones are logged here. */
export function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) return schemaValidationError(error.validation as SchemaIssue[]);
  const refusal = frameworkRefusal(error);
  if (refusal) return refusal;
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const generic = commonErrors.badRequest({ problem: error.message });
    return new AppError(generic.code, error.statusCode, generic.text, generic.values);
  }
  request.log.error({ err: error }, 'unhandled error');
  return commonErrors.internal();
}

/** The path without its query, lower-cased: Robokassa's paths are matched ignoring case. */
function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const end = url.indexOf('?');
  return (end === -1 ? url : url.slice(0, end)).toLowerCase();
}

/** Answers an AppError in the shape of the surface the request's path is on. */
export function sendAppError(
  surfaces: readonly ErrorSurface[],
  error: AppError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error.statusCode === 429 && typeof error.values.seconds === 'number') {
    reply.header('retry-after', String(error.values.seconds));
  }
  const path = pathOf(request);
  const surface = surfaces.find((candidate) => candidate.prefixes.some((prefix) => path.startsWith(prefix)));
  if (surface) return surface.present(error, request, reply);
  return reply.code(error.statusCode).send(error.toBody(requestLanguage(request)));
}

/**
 * For Fastify's `frameworkErrors` option: a URL the router cannot decode (bad percent-encoding) or a
 * parameter over the length limit, refused before routing.
 */
export function createFrameworkErrorHandler(surfaces: readonly ErrorSurface[]) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    sendAppError(surfaces, toAppError(error, request), request, reply);
}

export function installErrorHandler(app: FastifyInstance, surfaces: readonly ErrorSurface[] = []): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    sendAppError(surfaces, toAppError(error, request), request, reply),
  );

  app.setNotFoundHandler((request, reply) =>
    sendAppError(surfaces, commonErrors.routeNotFound(), request, reply),
  );
}
