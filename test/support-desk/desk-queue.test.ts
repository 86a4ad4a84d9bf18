/**
 * The desk's queue over HTTP on real PostgreSQL, with the test's manual clock: each ticket's first-reply
 * and resolution times, the average and median of the filtered set, the overdue rule (open and waiting
 * longer than the reply target), the status, topic, assignee and overdue filters, and assignment (agents
 * only, audited, invisible to the merchant). Finance has no access to the desk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { auditEntries, createOperator, registerMerchant, signInBrowser } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { openTicketVia, type TicketView } from './support-desk-helpers.js';

let context: TestContext;
let merchant: TestBrowser;
let merchantEmail: string;
let admin: { id: string; email: string; browser: TestBrowser };
let agent: { id: string; email: string; browser: TestBrowser };
let finance: { id: string; email: string; browser: TestBrowser };
const tickets = {} as Record<'t1' | 't2' | 't3' | 't4', TicketView>;

interface DeskSummary {
  id: string;
  status: string;
  revision: number;
  updatedAt: string;
  authorLanguage: string;
  assignee: { id: string; login: string } | null;
  firstReplySeconds: number | null;
  resolutionSeconds: number | null;
  isOverdue: boolean;
}

interface Queue {
  items: DeskSummary[];
  stats: {
    total: number;
    overdue: number;
    firstReply: { count: number; averageSeconds: number | null; medianSeconds: number | null };
    resolution: { count: number; averageSeconds: number | null; medianSeconds: number | null };
  };
  replyTargetHours: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const later = (ms: number) => context.clock.advanceMs(ms);

/** A day passes: sessions end after 12 idle hours, so everyone signs in again. */
async function aDayLater(extraMs = 0) {
  later(24 * HOUR + extraMs);
  merchant = await signInBrowser(context, merchantEmail);
  for (const person of [admin, agent, finance]) person.browser = await signInBrowser(context, person.email);
}

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  const registered = await registerMerchant(context);
  merchant = registered.browser;
  merchantEmail = registered.form.email as string;
  admin = await createOperator(context, 'administrator');
  agent = await createOperator(context, 'support');
  finance = await createOperator(context, 'finance');
}, 60_000);
afterAll(async () => context?.close());

async function queue(browser: TestBrowser, query = ''): Promise<Queue> {
  const response = await browser.get(`/api/backoffice/support/tickets${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Queue;
}

async function reply(ticket: TicketView, status = 'waiting_for_merchant') {
  const response = await admin.browser.post(`/api/backoffice/support/tickets/${ticket.id}/replies`, {
    body: 'Смотрим.',
    status,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as DeskSummary;
}

async function assign(browser: TestBrowser, ticket: TicketView, assigneeUserId: string | null) {
  return browser.post(`/api/backoffice/support/tickets/${ticket.id}/assignee`, { assigneeUserId });
}

const ids = (list: Queue) => list.items.map((item) => item.id);

describe('first-reply and resolution times', () => {
  it('measures each ticket from its creation with the clock', async () => {
    tickets.t1 = await openTicketVia(merchant, { topic: 'payments', subject: 'Первое' });
    later(2 * HOUR);
    expect(await reply(tickets.t1)).toMatchObject({ firstReplySeconds: 7200, resolutionSeconds: null });
    later(HOUR);
    const resolved = await admin.browser.post(`/api/backoffice/support/tickets/${tickets.t1.id}/status`, {
      status: 'resolved',
    });
    expect(resolved.json()).toMatchObject({ firstReplySeconds: 7200, resolutionSeconds: 10_800 });

    tickets.t2 = await openTicketVia(merchant, { topic: 'refunds', subject: 'Второе' });
    later(30 * MINUTE);
    expect(await reply(tickets.t2, 'resolved')).toMatchObject({
      firstReplySeconds: 1800,
      resolutionSeconds: 1800,
    });

    later(MINUTE);
    tickets.t3 = await openTicketVia(merchant, { topic: 'integration', subject: 'Третье' });
    await aDayLater(1000);
    tickets.t4 = await openTicketVia(merchant, { topic: 'payments', subject: 'Четвёртое' });
    later(10 * MINUTE);
    expect(await reply(tickets.t4)).toMatchObject({ firstReplySeconds: 600, isOverdue: false });
  });

  it('shows the figures of the whole filtered set: count, overdue, average and median', async () => {
    const all = await queue(admin.browser, '?status=all');
    expect(ids(all)).toEqual([tickets.t1.id, tickets.t2.id, tickets.t3.id, tickets.t4.id]);
    expect(all.replyTargetHours).toBe(24);
    expect(all.stats).toEqual({
      total: 4,
      overdue: 1,
      // 7200, 1800 and 600 seconds: the mean and the median differ.
      firstReply: { count: 3, averageSeconds: 3200, medianSeconds: 1800 },
      resolution: { count: 2, averageSeconds: 6300, medianSeconds: 6300 },
    });
    const byId = new Map(all.items.map((item) => [item.id, item]));
    expect(byId.get(tickets.t3.id)).toMatchObject({
      status: 'open',
      firstReplySeconds: null,
      isOverdue: true,
    });
    expect(byId.get(tickets.t1.id)).toMatchObject({ authorLanguage: 'ru', assignee: null });

    const payments = await queue(admin.browser, '?status=all&topic=payments');
    expect(ids(payments)).toEqual([tickets.t1.id, tickets.t4.id]);
    expect(payments.stats.firstReply).toEqual({ count: 2, averageSeconds: 3900, medianSeconds: 3900 });

    // The default is the open tickets: only the unanswered one, with no reply times yet.
    const open = await queue(admin.browser);
    expect(ids(open)).toEqual([tickets.t3.id]);
    expect(open.stats).toMatchObject({
      total: 1,
      overdue: 1,
      firstReply: { count: 0, averageSeconds: null, medianSeconds: null },
    });
    expect(ids(await queue(admin.browser, '?status=all&overdue=true'))).toEqual([tickets.t3.id]);
    expect(ids(await queue(admin.browser, '?status=resolved'))).toEqual([tickets.t1.id, tickets.t2.id]);
  });

  it('drops the resolution time when the merchant reopens a ticket, and an open ticket becomes overdue', async () => {
    const reopened = await merchant.post(`/api/cabinet/support/tickets/${tickets.t2.id}/replies`, {
      body: 'Не помогло.',
    });
    expect(reopened.statusCode, reopened.body).toBe(200);
    expect((await queue(admin.browser, '?status=all')).stats.resolution).toEqual({
      count: 1,
      averageSeconds: 10_800,
      medianSeconds: 10_800,
    });
    expect((await queue(admin.browser, '?overdue=true')).stats.overdue).toBe(1);
    await aDayLater();
    const overdue = await queue(admin.browser, '?overdue=true');
    expect(ids(overdue)).toEqual([tickets.t3.id, tickets.t2.id]);
    expect(overdue.items.every((item) => item.isOverdue)).toBe(true);
  });

  it('refuses a status, topic or overdue value it does not know', async () => {
    for (const query of ['?status=closed', '?topic=gossip', '?overdue=yes']) {
      expect((await admin.browser.get(`/api/backoffice/support/tickets${query}`)).statusCode, query).toBe(
        422,
      );
    }
  });
});

describe('assignment', () => {
  it('lists the agents: support staff and administrators, not finance', async () => {
    const response = await agent.browser.get('/api/backoffice/support/agents');
    expect(response.statusCode).toBe(200);
    const agentIds = (response.json() as { items: { id: string }[] }).items.map((item) => item.id);
    expect(agentIds).toEqual(expect.arrayContaining([admin.id, agent.id]));
    expect(agentIds).not.toContain(finance.id);
  });

  it('assigns a ticket without touching what the merchant sees, filters by assignee, and audits', async () => {
    const before = (await queue(admin.browser, '?status=all')).items.find(
      (item) => item.id === tickets.t3.id,
    )!;
    const assigned = await assign(agent.browser, tickets.t3, agent.id);
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json()).toMatchObject({
      assignee: { id: agent.id, login: expect.any(String) },
      revision: before.revision,
      updatedAt: before.updatedAt,
    });
    // Assigning again to the same person is no change and no second audit entry.
    expect((await assign(agent.browser, tickets.t3, agent.id)).statusCode).toBe(200);

    expect(ids(await queue(agent.browser, '?status=all&assignee=me'))).toEqual([tickets.t3.id]);
    expect(ids(await queue(admin.browser, '?status=all&assignee=me'))).toEqual([]);
    expect(ids(await queue(admin.browser, `?status=all&assignee=${agent.id}`))).toEqual([tickets.t3.id]);
    expect(ids(await queue(admin.browser, '?status=all&assignee=none'))).not.toContain(tickets.t3.id);
    const merchantView = await merchant.get(`/api/cabinet/support/tickets/${tickets.t3.id}`);
    expect(merchantView.json()).not.toHaveProperty('assignee');

    const released = await assign(admin.browser, tickets.t3, null);
    expect(released.json()).toMatchObject({ assignee: null });
    const entries = await auditEntries(context, 'support.ticket_assigned', { target: tickets.t3.id });
    expect(entries.map((entry) => [entry.actor_user_id, entry.details])).toEqual([
      [agent.id, { from: null, to: agent.id }],
      [admin.id, { from: agent.id, to: null }],
    ]);
  });

  it('refuses to assign someone who is not an agent, and keeps finance out of the desk', async () => {
    const refused = await assign(admin.browser, tickets.t1, finance.id);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.assigneeUserId.code).toBe('not_an_agent');
    expect((await assign(admin.browser, tickets.t1, 'usr_nobody')).statusCode).toBe(422);
    expect((await assign(admin.browser, { id: 'tkt_missing' } as TicketView, agent.id)).statusCode).toBe(404);

    expect((await finance.browser.get('/api/backoffice/support/tickets')).statusCode).toBe(403);
    expect((await finance.browser.get('/api/backoffice/support/agents')).statusCode).toBe(403);
    expect((await assign(finance.browser, tickets.t1, finance.id)).statusCode).toBe(403);
    expect((await queue(admin.browser, '?status=all')).items.every((item) => item.assignee === null)).toBe(
      true,
    );
  });
});
