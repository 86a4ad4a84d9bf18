/** GET /api/cabinet/analytics: the report for a period of Moscow days, by day, week or month. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { moscowDay, moscowMidnight, parseCivilDay } from '../balances/index.js';
import { buildAnalyticsReport, GRANULARITIES, type Granularity } from './analytics.queries.js';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 731;

const AnalyticsQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 10 })),
  to: Type.Optional(Type.String({ maxLength: 10 })),
  granularity: Type.Optional(Type.String({ maxLength: 5 })),
  shopId: Type.Optional(Type.String({ maxLength: 64 })),
});

const problems = {
  date: { code: 'invalid_date', text: { ru: 'Дата в формате ГГГГ-ММ-ДД.', en: 'A date as YYYY-MM-DD.' } },
  period: {
    code: 'invalid_period',
    text: {
      ru: 'Период от 1 до {max} дней, начало не позже конца.',
      en: 'A period of 1 to {max} days, starting no later than it ends.',
    },
    values: { max: MAX_DAYS },
  },
  granularity: { code: 'invalid', text: { ru: 'day, week или month.', en: 'day, week or month.' } },
} satisfies Record<string, FieldProblem>;

/** The period (default: the last 30 days up to today) and a granularity that keeps a chart readable. */
function readPeriod(query: typeof AnalyticsQuery.static, today: number) {
  const fields: Record<string, FieldProblem> = {};
  const lastDay = query.to === undefined ? today : parseCivilDay(query.to);
  if (lastDay === undefined) fields.to = problems.date;
  const firstDay =
    query.from === undefined ? (lastDay ?? today) - (DEFAULT_DAYS - 1) * DAY_MS : parseCivilDay(query.from);
  if (firstDay === undefined) fields.from = problems.date;
  const days = firstDay !== undefined && lastDay !== undefined ? (lastDay - firstDay) / DAY_MS + 1 : 0;
  if (firstDay !== undefined && lastDay !== undefined && (days < 1 || days > MAX_DAYS))
    fields.to = problems.period;
  const granularity = GRANULARITIES.find((item) => item === query.granularity);
  if (query.granularity !== undefined && !granularity) fields.granularity = problems.granularity;
  if (Object.keys(fields).length > 0 || firstDay === undefined || lastDay === undefined)
    throw validationError(fields);
  const chosen: Granularity = granularity ?? (days <= 62 ? 'day' : days <= 366 ? 'week' : 'month');
  return {
    from: moscowMidnight(firstDay),
    until: moscowMidnight(lastDay + DAY_MS),
    granularity: chosen,
    firstDay: new Date(firstDay).toISOString().slice(0, 10),
    lastDay: new Date(lastDay).toISOString().slice(0, 10),
    previousFirstDay: new Date(firstDay - days * DAY_MS).toISOString().slice(0, 10),
    previousLastDay: new Date(firstDay - DAY_MS).toISOString().slice(0, 10),
  };
}

export function registerAnalyticsRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  app.get(
    '/analytics',
    { preHandler: requirePermission('operations.read'), schema: { querystring: AnalyticsQuery } },
    async (request) => {
      const query = request.query as typeof AnalyticsQuery.static;
      const period = readPeriod(query, moscowDay(deps.clock.now()));
      const report = await buildAnalyticsReport(deps.db, {
        accountId: requireMerchantActor(request).accountId,
        from: period.from,
        until: period.until,
        granularity: period.granularity,
        shopId: query.shopId || undefined,
      });
      return {
        period: { from: period.firstDay, to: period.lastDay },
        previousPeriod: { from: period.previousFirstDay, to: period.previousLastDay },
        ...report,
      };
    },
  );
}
