/**
 * Prometheus metrics at /metrics. Each app has its own registry (tests build many apps in one process).
 * Queue depth is read from the database at scrape time, so every node reports the shared truth.
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
}

export function createMetrics(
  db: QueryExecutorProvider,
  options: { collectProcessMetrics: boolean },
): Metrics {
  const registry = new Registry();
  if (options.collectProcessMetrics) collectDefaultMetrics({ register: registry, prefix: 'kopek_' });
  const httpRequests = new Counter({
    name: 'kopek_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'kopek_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'kopek_jobs',
    help: 'Jobs in the queue by state (done jobs are not counted)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const result = await sql<{ state: string; count: number }>`
        select state, count(*)::int as count from jobs where state <> 'done' group by state`.execute(db);
      this.reset();
      for (const state of ['pending', 'running', 'failed']) {
        this.set({ state }, result.rows.find((row) => row.state === state)?.count ?? 0);
      }
    },
  });
  return { registry, httpRequests, httpDuration };
}
