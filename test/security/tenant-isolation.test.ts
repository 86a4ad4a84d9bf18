/**
 * Tenant isolation: every route under /api/cabinet, /api/backoffice and /api/v1, called by merchant B
 * with merchant A's ids (shops, operations, notifications, refunds, payouts, API keys, webhook endpoints
 * and deliveries, payment links, fiscal receipts, employees, card attempts), answers 404 (403 in the
 * back-office, which is about a role), never A's data, and changes none of A's rows. The same request from
 * A (or the operator) is not refused that way, which proves each request reaches the scoping check.
 * The route table is read from Fastify itself: a new route fails this file until ROUTE_CASES covers it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../support/harness.js';
import { collectedRoutes } from './route-table.js';
import {
  callAs,
  digestTenant,
  methodOf,
  openTenants,
  ROUTE_CASES,
  victimMarkers,
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

const ACCESS_PREFIXES = ['/api/cabinet', '/api/backoffice', '/api/v1'];

/** Each case, in an order that keeps every call meaningful: sessions end last. */
function allCases(filter: (routeCase: RouteCase) => boolean): [string, RouteCase][] {
  return Object.entries(ROUTE_CASES)
    .flatMap(([route, cases]) => cases.map((routeCase) => [route, routeCase] as [string, RouteCase]))
    .filter(([, routeCase]) => filter(routeCase));
}

/** The markers of A that the request itself does not carry (an echo of B's own input is no leak). */
function leakedMarkers(body: string, request: { url: string; body?: unknown }): string[] {
  const sent = `${request.url} ${JSON.stringify(request.body ?? null)}`;
  return victimMarkers(tenants.a).filter((marker) => !sent.includes(marker) && body.includes(marker));
}

describe('tenant isolation', () => {
  // Fails if: a route is added (or removed) under /api/cabinet, /api/backoffice or /api/v1 without its
  // cases in ROUTE_CASES, so no route escapes the isolation checks below.
  it('has a case for exactly every cabinet, back-office and /api/v1 route', () => {
    expect(collectedRoutes(ACCESS_PREFIXES)).toEqual(Object.keys(ROUTE_CASES).sort());
  });

  // Fails if: B reaches any of A's resources (any status but 404 on a foreign id; 403 in the back-office),
  // an answer to B contains anything of A's (ids, names, e-mail, secrets, passwords), or a call by B
  // changes any row of A's account.
  it("answers B's requests for A's resources with 404 (403 in the back-office), never A's data, and changes nothing of A's", async () => {
    const { a, b } = tenants;
    const before = await digestTenant(context, a);
    const failures: string[] = [];
    const run = async (route: string, routeCase: RouteCase) => {
      const browser = routeCase.endsSession ? await tenants.bSecondSession() : b.browser;
      const request = routeCase.request(a, b);
      const response = await callAs(context, route, routeCase, a, { tenant: b, browser });
      const label = `${route}${routeCase.note ? ` (${routeCase.note})` : ''} as B → ${response.statusCode}`;
      if (!routeCase.stranger.includes(response.statusCode))
        failures.push(`${label}, expected ${routeCase.stranger.join('/')}: ${response.body.slice(0, 200)}`);
      const leaked = leakedMarkers(response.body, request);
      if (leaked.length > 0) failures.push(`${label} leaks ${leaked.join(', ')}`);
    };
    for (const [route, routeCase] of allCases((c) => !c.touchesVictimByDesign && !c.endsSession))
      await run(route, routeCase);
    expect(failures).toEqual([]);
    expect(await digestTenant(context, a)).toEqual(before);
    // Public by design (they name A's e-mail, as anyone may), then the routes that end B's sessions.
    for (const [route, routeCase] of allCases(
      (c) => c.touchesVictimByDesign === true || c.endsSession === true,
    ))
      await run(route, routeCase);
    expect(failures).toEqual([]);
  });

  // Fails if: a foreign case is refused to its owner too (a wrong URL, body or permission in the test),
  // which would make the 404 above prove nothing. Deletions run last so they do not hide other routes.
  it('serves the same requests to their owner (A, or the operator in the back-office)', async () => {
    const { a, operator } = tenants;
    const cases = allCases((c) => c.kind === 'foreign' && c.note === undefined).sort(
      ([left], [right]) => Number(methodOf(left) === 'DELETE') - Number(methodOf(right) === 'DELETE'),
    );
    const failures: string[] = [];
    for (const [route, routeCase] of cases) {
      const browser = routeCase.surface === 'backoffice' ? operator : a.browser;
      const response = await callAs(context, route, routeCase, a, { tenant: a, browser });
      if (routeCase.stranger.includes(response.statusCode) || response.statusCode >= 500)
        failures.push(`${route} as owner → ${response.statusCode}: ${response.body.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });
});
