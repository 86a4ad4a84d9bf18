/**
 * Closing documents in the cabinet (under /api/cabinet) and the operator's postal dispatch (under
 * /api/backoffice). The cabinet needs balance.read, the permission that shows the account's money;
 * every query is scoped to the caller's account. Dispatch is for finance staff and audited.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { clientIp } from '../../platform/http/request.js';
import { createAuthGuard, requireMerchantActor, requireSessionUser } from '../accounts/index.js';
import { parseCivilDay } from '../balances/index.js';
import { moscowDay } from './document.figures.js';
import {
  listDocuments,
  listAwaitingDispatch,
  readDocumentFile,
  recordDispatch,
  requestDocuments,
} from './document.service.js';

const DocumentParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const FileParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  format: Type.Union([Type.Literal('pdf'), Type.Literal('xlsx')]),
});
const PeriodBody = Type.Object(
  { periodStart: Type.String({ maxLength: 10 }), periodEnd: Type.String({ maxLength: 10 }) },
  { additionalProperties: false },
);
const DispatchBody = Type.Object(
  { dispatchedOn: Type.String({ maxLength: 10 }), trackingNumber: Type.String({ maxLength: 40 }) },
  { additionalProperties: false },
);

const MAX_PERIOD_DAYS = 366;
const problem = (code: string, ru: string, en: string): FieldProblem => ({ code, text: { ru, en } });
const BAD_DATE = problem('invalid_date', 'Укажите дату в формате ГГГГ-ММ-ДД.', 'Enter a date as YYYY-MM-DD.');

const isIsoDate = (value: string) => parseCivilDay(value) !== undefined;

/** A period of whole Moscow days that has ended or is under way, at most a year long. */
export function validatePeriod(
  body: typeof PeriodBody.static,
  today: string,
): { start: string; end: string } {
  const fields: Record<string, FieldProblem> = {};
  if (!isIsoDate(body.periodStart)) fields.periodStart = BAD_DATE;
  if (!isIsoDate(body.periodEnd)) fields.periodEnd = BAD_DATE;
  else if (body.periodEnd > today)
    fields.periodEnd = problem(
      'in_future',
      'Период не может заканчиваться в будущем.',
      'The period cannot end in the future.',
    );
  if (!fields.periodStart && !fields.periodEnd) {
    const days = (Date.parse(body.periodEnd) - Date.parse(body.periodStart)) / 86_400_000 + 1;
    if (days < 1)
      fields.periodEnd = problem(
        'before_start',
        'Конец периода раньше начала.',
        'The period ends before it starts.',
      );
    else if (days > MAX_PERIOD_DAYS)
      fields.periodEnd = problem('too_long', 'Период не длиннее года.', 'The period is at most a year long.');
  }
  if (Object.keys(fields).length > 0) throw validationError(fields);
  return { start: body.periodStart, end: body.periodEnd };
}

export function registerDocumentRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);

  app.get('/documents', { preHandler: requirePermission('balance.read') }, async (request) => ({
    items: await listDocuments(deps.db, requireMerchantActor(request).accountId),
  }));

  app.post(
    '/documents',
    { preHandler: requirePermission('balance.read'), schema: { body: PeriodBody } },
    async (request, reply) => {
      const actor = requireMerchantActor(request);
      const period = validatePeriod(request.body as typeof PeriodBody.static, moscowDay(deps.clock.now()));
      await deps.db
        .transaction()
        .execute((trx) =>
          requestDocuments(trx, deps, { accountId: actor.accountId, userId: actor.userId, period }),
        );
      return reply.code(202).send({ periodStart: period.start, periodEnd: period.end });
    },
  );

  app.get(
    '/documents/:id/file.:format',
    { preHandler: requirePermission('balance.read'), schema: { params: FileParams } },
    async (request, reply) => {
      const { id, format } = request.params as typeof FileParams.static;
      const file = await readDocumentFile(deps.db, requireMerchantActor(request).accountId, id, format);
      const type =
        format === 'pdf'
          ? 'application/pdf'
          : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      return reply
        .header('content-type', type)
        .header('content-disposition', `attachment; filename="${file.kind}-${file.number}.${format}"`)
        .send(Buffer.from(file.content));
    },
  );
}

export function registerDocumentBackofficeRoutes(app: FastifyInstance, deps: Deps): void {
  const financeOnly = { preHandler: createAuthGuard(deps)('backoffice.finance') };

  app.get('/documents', financeOnly, async () => ({ items: await listAwaitingDispatch(deps.db) }));

  app.post(
    '/documents/:id/dispatch',
    { ...financeOnly, schema: { params: DocumentParams, body: DispatchBody } },
    async (request) => {
      const { id } = request.params as typeof DocumentParams.static;
      const body = request.body as typeof DispatchBody.static;
      const fields: Record<string, FieldProblem> = {};
      if (!isIsoDate(body.dispatchedOn)) fields.dispatchedOn = BAD_DATE;
      const trackingNumber = body.trackingNumber.trim();
      if (!/^[0-9A-Za-z-]{4,40}$/.test(trackingNumber))
        fields.trackingNumber = problem(
          'invalid_tracking_number',
          'Трек-номер: от 4 до 40 латинских букв и цифр.',
          'Tracking number: 4 to 40 Latin letters and digits.',
        );
      if (Object.keys(fields).length > 0) throw validationError(fields);
      await recordDispatch(deps, {
        documentId: id,
        operatorUserId: requireSessionUser(request).userId,
        dispatchedOn: body.dispatchedOn,
        trackingNumber,
        ip: clientIp(request),
      });
      return { id, status: 'dispatched' };
    },
  );
}
