/**
 * CSRF: every state-changing route (POST, PUT, PATCH, DELETE) under /api/cabinet and /api/backoffice,
 * read from Fastify's own route table, refuses a request that does not repeat the kopek_csrf cookie in
 * X-CSRF-Token (no header, a wrong header, a header without the cookie, an anonymous request) with 403
 * csrf_failed, and the database is exactly as before. The same request with the token is not refused,
 * so each refusal comes from the CSRF check and not from a wrong URL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { collectedRoutes } from './route-table.js';
import {
  callAs,
  digestDatabase,
  methodOf,
  openTenants,
  ROUTE_CASES,
  type RouteCase,
  type Tenants,
} from './tenants.js';

vi.mock('fastify', async () => (await import('./route-table.js')).fastifyWithRouteCollector());

let context: TestContext;
let tenants: Tenants;

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  tenants = await openTenants(context);
}, 120_000);
afterAll(() => context?.close());

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The state-changing cabinet and back-office routes, as Fastify registered them. */
function stateChangingRoutes(): string[] {
  return collectedRoutes(['/api/cabinet/', '/api/backoffice/']).filter((route) =>
    STATE_CHANGING.has(methodOf(route)),
  );
}

/** The route's own well-formed request (A's ids), or its path with placeholder ids for a route without cases. */
function requestFor(route: string): { routeCase?: RouteCase; url: string; body?: unknown } {
  const routeCase = ROUTE_CASES[route]?.[0];
  if (!routeCase) return { url: route.slice(route.indexOf(' ') + 1).replace(/:\w+/g, 'x'), body: {} };
  return { routeCase, ...routeCase.request(tenants.a, tenants.a) };
}

function browserFor(route: string): TestBrowser {
  return route.includes('/api/backoffice/') ? tenants.operator : tenants.a.browser;
}

type Variant = 'no header' | 'wrong header' | 'header without cookie' | 'anonymous';
const VARIANTS: readonly Variant[] = ['no header', 'wrong header', 'header without cookie', 'anonymous'];

function sendWithout(route: string, variant: Variant) {
  const browser = browserFor(route);
  const { url, body } = requestFor(route);
  const session = browser.cookie('kopek_session') ?? '';
  const csrf = browser.cookie('kopek_csrf') ?? '';
  const cookies: Record<Variant, string> = {
    'no header': `kopek_session=${session}; kopek_csrf=${csrf}`,
    'wrong header': `kopek_session=${session}; kopek_csrf=${csrf}`,
    'header without cookie': `kopek_session=${session}`,
    anonymous: '',
  };
  const header: Record<Variant, string | undefined> = {
    'no header': undefined,
    'wrong header': `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`,
    'header without cookie': csrf,
    anonymous: undefined,
  };
  const method = methodOf(route);
  return context.app.inject({
    method,
    url,
    headers: {
      ...(cookies[variant] ? { cookie: cookies[variant] } : {}),
      ...(header[variant] !== undefined ? { 'x-csrf-token': header[variant] } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

describe('CSRF on the cabinet and the back-office', () => {
  // Fails if: the route table could not be read (the checks below would then pass on nothing).
  it('finds the state-changing routes in the route table', () => {
    const routes = stateChangingRoutes();
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContain('POST /api/cabinet/sessions');
    expect(routes).toContain('POST /api/backoffice/shops/:id/activate');
  });

  // Fails if: any state-changing route accepts a request without a matching X-CSRF-Token (any status
  // other than 403 csrf_failed), or such a request changes any row of any table.
  it('refuses every state-changing request without the CSRF token with 403 csrf_failed and changes nothing', async () => {
    const before = await digestDatabase(context);
    const failures: string[] = [];
    for (const route of stateChangingRoutes()) {
      for (const variant of VARIANTS) {
        const response = await sendWithout(route, variant);
        const code = (response.json() as { error?: { code?: string } }).error?.code;
        if (response.statusCode !== 403 || code !== 'csrf_failed')
          failures.push(`${route} (${variant}) → ${response.statusCode} ${response.body.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await digestDatabase(context)).toEqual(before);
  });

  // Fails if: a request above was refused for another reason (a wrong URL or a missing session), which
  // would make its 403 prove nothing: with the token, none of them is refused as csrf_failed.
  it('lets the same requests through the CSRF check when the token is sent', async () => {
    const failures: string[] = [];
    const routes = stateChangingRoutes().sort(
      (left, right) => Number(left.includes('/sessions/')) - Number(right.includes('/sessions/')),
    );
    for (const route of routes) {
      const { routeCase } = requestFor(route);
      if (!routeCase) {
        failures.push(`${route} has no case in ROUTE_CASES`);
        continue;
      }
      const response = await callAs(context, route, routeCase, tenants.a, {
        tenant: tenants.a,
        browser: browserFor(route),
      });
      if (response.statusCode === 403 && response.body.includes('csrf_failed'))
        failures.push(`${route} with the token → ${response.body.slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
  });
});
