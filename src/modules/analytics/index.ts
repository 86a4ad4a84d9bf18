/**
 * Analytics: the cabinet's sales figures (turnover, payments, conversion, average, refunds) by day, week
 * or month, by shop and by method, against the previous period. Reads payments and refunds; writes nothing.
 */
export { registerAnalyticsRoutes } from './analytics.routes.js';
export {
  buildAnalyticsReport,
  bucketsOf,
  type AnalyticsReport,
  type Granularity,
} from './analytics.queries.js';
