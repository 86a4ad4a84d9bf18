/** The operator's platform dashboard and audit search (under /api/backoffice, operators only). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createAuthGuard } from '../accounts/index.js';
import { moscowMidnight, parseCivilDay } from '../balances/index.js';
import { searchAudit } from './audit-search.js';
import { readPlatformDashboard } from './platform-dashboard.js';

const DAY_MS = 86_400_000;
const MAX_WINDOW_HOURS = 24 * 30;

const DashboardQuery = Type.Object({ hours: Type.Optional(Type.String({ maxLength: 4 })) });
const AuditQuery = Type.Object({
  action: Type.Optional(Type.String({ maxLength: 100 })),
  account: Type.Optional(Type.String({ maxLength: 64 })),
  actor: Type.Optional(Type.String({ maxLength: 254 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
  before: Type.Optional(Type.String({ maxLength: 20 })),
});

const problems = {
  hours: {
    code: 'out_of_range',
    text: { ru: 'Целое число часов от 1 до {max}.', en: 'A whole number of hours from 1 to {max}.' },
    values: { max: MAX_WINDOW_HOURS },
  },
  date: { code: 'invalid_date', text: { ru: 'Дата в формате ГГГГ-ММ-ДД.', en: 'A date as YYYY-MM-DD.' } },
  before: {
    code: 'invalid_cursor',
    text: { ru: 'Неверная ссылка на страницу.', en: 'Not a valid page link.' },
  },
} satisfies Record<string, FieldProblem>;

/** 00:00 Moscow time of a YYYY-MM-DD day, or undefined when it is not a real date. */
function moscowDayStart(text: string): Date | undefined {
  const civil = parseCivilDay(text);
  return civil === undefined ? undefined : moscowMidnight(civil);
}

function readAuditQuery(query: typeof AuditQuery.static) {
  const fields: Record<string, FieldProblem> = {};
  const from = query.from ? moscowDayStart(query.from) : undefined;
  if (query.from && !from) fields.from = problems.date;
  const to = query.to ? moscowDayStart(query.to) : undefined;
  if (query.to && !to) fields.to = problems.date;
  const isCursor = query.before === undefined || /^[1-9]\d{0,18}$/.test(query.before);
  if (!isCursor) fields.before = problems.before;
  if (Object.keys(fields).length > 0) throw validationError(fields);
  return {
    action: query.action?.trim() || undefined,
    account: query.account?.trim() || undefined,
    actor: query.actor?.trim() || undefined,
    text: query.q?.trim() || undefined,
    from,
    until: to && new Date(to.getTime() + DAY_MS),
    beforeId: query.before === undefined ? undefined : BigInt(query.before),
  };
}

export function registerBackofficeRoutes(app: FastifyInstance, deps: Deps): void {
  const operatorOnly = { preHandler: createAuthGuard(deps)('backoffice') };

  app.get('/dashboard', { ...operatorOnly, schema: { querystring: DashboardQuery } }, async (request) => {
    const text = (request.query as typeof DashboardQuery.static).hours ?? '24';
    const hours = /^\d{1,4}$/.test(text) ? Number(text) : 0;
    if (hours < 1 || hours > MAX_WINDOW_HOURS) throw validationError({ hours: problems.hours });
    return readPlatformDashboard(deps.db, deps.clock.now(), hours);
  });

  app.get('/audit', { ...operatorOnly, schema: { querystring: AuditQuery } }, async (request) =>
    searchAudit(deps.db, readAuditQuery(request.query as typeof AuditQuery.static)),
  );
}
