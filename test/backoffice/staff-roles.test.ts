/**
 * The operator's staff roles over HTTP on a real PostgreSQL: what each role may open in the back-office
 * (a support agent cannot touch money, a moderator cannot answer tickets, only administrators manage the
 * staff), and the staff list itself: invitation by e-mail link, role changes, the last administrator,
 * disabling ends sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRole } from '../../src/schema.js';
import { TestBrowser } from '../support/client.js';
import { createOperator, GOOD_PASSWORD, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
const staff = {} as Record<StaffRole, { id: string; email: string; browser: TestBrowser }>;

beforeAll(async () => {
  context = await createTestContext();
  for (const role of ['administrator', 'moderator', 'support', 'finance'] as const) {
    staff[role] = await createOperator(context, role);
  }
});
afterAll(async () => context?.close());

/** One representative request per area of the back-office. */
const AREAS = {
  dashboard: '/api/backoffice/dashboard',
  moderation: '/api/backoffice/shops',
  support: '/api/backoffice/support/tickets',
  cardAttempts: '/api/backoffice/card-attempts',
  dealDisputes: '/api/backoffice/deals',
  broadcasts: '/api/backoffice/broadcasts',
  staff: '/api/backoffice/staff',
} as const;

const ALLOWED: Record<StaffRole, readonly (keyof typeof AREAS)[]> = {
  administrator: [
    'dashboard',
    'moderation',
    'support',
    'cardAttempts',
    'dealDisputes',
    'broadcasts',
    'staff',
  ],
  moderator: ['dashboard', 'moderation'],
  support: ['dashboard', 'support', 'broadcasts'],
  finance: ['dashboard', 'cardAttempts', 'dealDisputes'],
};

describe('staff roles', () => {
  it('opens to each role exactly its areas, and says so in /me', async () => {
    for (const role of Object.keys(ALLOWED) as StaffRole[]) {
      for (const [area, path] of Object.entries(AREAS)) {
        const response = await staff[role].browser.get(path);
        const expected = ALLOWED[role].includes(area as keyof typeof AREAS) ? 200 : 403;
        expect(response.statusCode, `${role} → ${area}`).toBe(expected);
      }
    }
    const me = (await staff.support.browser.get('/api/cabinet/me')).json();
    expect(me.user.staffRole).toBe('support');
    expect(me.permissions).toEqual(['backoffice', 'backoffice.support', 'backoffice.broadcasts']);
  });

  it('keeps money away from a support agent: no card-attempt decision, no dispute decision', async () => {
    const resolve = await staff.support.browser.post('/api/backoffice/card-attempts/att_x/resolve', {
      outcome: 'approved',
      note: 'RRN 123',
    });
    expect(resolve.statusCode).toBe(403);
    const decide = await staff.support.browser.post('/api/backoffice/deals/deal_x/decide', {
      decision: 'buyer',
      note: 'Refund the buyer',
    });
    expect(decide.statusCode).toBe(403);
  });
});

describe('the staff list', () => {
  it('invites a person by e-mail link, who then signs in with the role given', async () => {
    const invited = await staff.administrator.browser.post('/api/backoffice/staff', {
      login: 'Finance2',
      email: 'finance2@kopek.example',
      role: 'finance',
    });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(invited.json()).toMatchObject({ login: 'finance2', staffRole: 'finance', status: 'invited' });
    await context.deliverMail();
    const token = context.mail.lastLinkTo('finance2@kopek.example');
    const invitee = new TestBrowser(context.app);
    const accepted = await invitee.post(`/api/cabinet/email-links/${token}/complete`, {
      password: GOOD_PASSWORD,
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const signedIn = await signInBrowser(context, 'finance2@kopek.example');
    expect((await signedIn.get('/api/backoffice/card-attempts')).statusCode).toBe(200);
    expect((await signedIn.get('/api/backoffice/shops')).statusCode).toBe(403);
  });

  it('changes roles, keeps one administrator, refuses own changes, and ends a disabled person’s sessions', async () => {
    const admin = staff.administrator;
    const promoted = await admin.browser.request('PATCH', `/api/backoffice/staff/${staff.moderator.id}`, {
      role: 'administrator',
    });
    expect(promoted.json()).toMatchObject({ staffRole: 'administrator' });
    expect((await staff.moderator.browser.get('/api/backoffice/staff')).statusCode).toBe(200);
    // The promoted moderator demotes the original administrator; then the last one cannot be demoted.
    const demoted = await staff.moderator.browser.request('PATCH', `/api/backoffice/staff/${admin.id}`, {
      role: 'support',
    });
    expect(demoted.statusCode, demoted.body).toBe(200);
    const self = await staff.moderator.browser.request(
      'PATCH',
      `/api/backoffice/staff/${staff.moderator.id}`,
      {
        role: 'support',
      },
    );
    expect(self.statusCode).toBe(409);
    const disabled = await staff.moderator.browser.request(
      'PATCH',
      `/api/backoffice/staff/${staff.finance.id}`,
      {
        status: 'disabled',
      },
    );
    expect(disabled.json()).toMatchObject({ status: 'disabled' });
    expect((await staff.finance.browser.get('/api/backoffice/dashboard')).statusCode).toBe(401);
    const bad = await staff.moderator.browser.request('PATCH', `/api/backoffice/staff/${staff.support.id}`, {
      role: 'owner',
    });
    expect(bad.json().error.fields.role.code).toBe('invalid_choice');
  });
});
