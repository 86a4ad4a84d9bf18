/**
 * The one error handler: AppError → its code, status and localised message; schema validation → field
 * errors; anything else → logged in full and answered with a generic 500 that leaks nothing.
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

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const language = requestLanguage(request);
    let appError: AppError;
    if (error instanceof AppError) {
      appError = error;
    } else if (error.validation) {
      appError = schemaValidationError(error.validation as SchemaIssue[]);
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      appError = commonErrors.badRequest({ problem: error.message });
      return reply.code(error.statusCode).send(appError.toBody(language));
    } else {
      request.log.error({ err: error }, 'unhandled error');
      appError = commonErrors.internal();
    }
    if (appError.statusCode === 429 && typeof appError.values.seconds === 'number') {
      reply.header('retry-after', String(appError.values.seconds));
    }
    return reply.code(appError.statusCode).send(appError.toBody(language));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(commonErrors.notFound().toBody(requestLanguage(request)));
  });
}
