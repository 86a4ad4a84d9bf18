/**
 * The app's real route table. Fastify lists routes only as a printed tree, so the test files that need
 * the table replace the `fastify` factory (vi.mock) with one that adds an onRoute hook to every instance
 * before buildApp registers anything:
 *
 *   vi.mock('fastify', async () => (await import('./route-table.js')).fastifyWithRouteCollector());
 *
 * HEAD routes are Fastify's automatic twins of GET routes and are left out.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { vi } from 'vitest';

export interface CollectedRoute {
  readonly method: string;
  readonly url: string;
}

const collected: CollectedRoute[] = [];

export async function fastifyWithRouteCollector() {
  const original = await vi.importActual<typeof import('fastify')>('fastify');
  const createOriginal = original.default as unknown as (options?: unknown) => FastifyInstance;
  const create = (options?: unknown) => {
    const app = createOriginal(options);
    app.addHook('onRoute', (route: RouteOptions) => {
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') collected.push({ method, url: route.url ?? '' });
      }
    });
    return app;
  };
  return { ...original, default: create, fastify: create };
}

/** "METHOD /path" of every route registered so far whose path starts with one of the prefixes. */
export function collectedRoutes(prefixes: readonly string[]): string[] {
  return [
    ...new Set(
      collected
        .filter((route) => prefixes.some((prefix) => route.url.startsWith(prefix)))
        .map((route) => `${route.method} ${route.url}`),
    ),
  ].sort();
}
