/**
 * One-click unsubscribe (RFC 8058) over HTTP: POST /unsubscribe/<token> without a session or CSRF token
 * turns off exactly one person's mail of one category, audited; GET only shows the page with its button;
 * forged, altered and foreign tokens change nothing; security mail has no token at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnsubscribeToken } from '../../src/modules/messages/index.js';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, auditEntries, registerMerchant } from '../support/flows.js';
import { createTestContext, TEST_MASTER_KEY, TEST_PUBLIC_URL, type TestContext } from '../support/harness.js';
import { deliveredSince, post, unsubscribeUrlOf, type DeliveredMail } from './messages-support.js';

let context: TestContext;
const a = {} as {
  accountId: string;
  admin: TestBrowser;
  adminId: string;
  adminEmail: string;
  viewerId: string;
  viewerEmail: string;
};

beforeAll(async () => {
  context = await createTestContext();
  const merchant = await registerMerchant(context);
  a.accountId = merchant.me.account.id;
  a.admin = merchant.browser;
  a.adminId = merchant.me.user.id;
  a.adminEmail = merchant.form.email as string;
  const viewer = await addEmployee(context, a.admin, 'viewer');
  a.viewerId = viewer.id;
  a.viewerEmail = viewer.email;
  await context.deps.db.updateTable('users').set({ language: 'en' }).where('id', '=', viewer.id).execute();
});
afterAll(async () => context?.close());

/** Posts a message of the category and returns the mail each person received. */
async function mailOf(category: 'refunds' | 'payouts' | 'security') {
  const before = context.mail.sent.length;
  await post(context, { accountId: a.accountId, category });
  const mail = await deliveredSince(context, before);
  return {
    admin: mail.find((item) => item.to === a.adminEmail),
    viewer: mail.find((item) => item.to === a.viewerEmail),
  };
}

function pathOf(mail: DeliveredMail | undefined): string {
  return unsubscribeUrlOf(mail!).slice(TEST_PUBLIC_URL.length);
}

async function deliveryOf(browser: TestBrowser, category: string): Promise<string | undefined> {
  const list = await browser.get('/api/cabinet/message-subscriptions');
  return (list.json().items as { category: string; delivery: string }[]).find(
    (item) => item.category === category,
  )?.delivery;
}

function oneClick(path: string, contentType: 'multipart' | 'urlencoded' = 'multipart') {
  const boundary = '----kopek-test-boundary';
  return context.app.inject({
    method: 'POST',
    url: path,
    headers:
      contentType === 'multipart'
        ? { 'content-type': `multipart/form-data; boundary=${boundary}` }
        : { 'content-type': 'application/x-www-form-urlencoded' },
    payload:
      contentType === 'multipart'
        ? `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`
        : 'List-Unsubscribe=One-Click',
  });
}

describe('POST /unsubscribe/<token> (one click)', () => {
  it('turns off one person’s mail of one category without a session or CSRF token, and audits it', async () => {
    const first = await mailOf('refunds');
    const path = pathOf(first.admin);
    const answer = await oneClick(path);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.body).toContain('Вы отписались');
    expect(answer.body).toContain(a.adminEmail);
    expect(await deliveryOf(a.admin, 'refunds')).toBe('off');
    const entries = await auditEntries(context, 'messages.subscription_changed', { actorUserId: a.adminId });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      account_id: a.accountId,
      target: 'refunds',
      details: { category: 'refunds', delivery: 'off', previous: 'immediate', channel: 'one_click' },
    });

    const after = await mailOf('refunds');
    expect(after.admin).toBeUndefined();
    expect(after.viewer).toBeDefined();
    expect((await mailOf('payouts')).admin).toBeDefined();

    // Mail clients may post again: the answer is the same and nothing more is written.
    const again = await oneClick(path, 'urlencoded');
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('уже отключены');
    expect(
      await auditEntries(context, 'messages.subscription_changed', { actorUserId: a.adminId }),
    ).toHaveLength(1);
  });

  it('accepts a urlencoded body and a POST with no body at all', async () => {
    const path = pathOf((await mailOf('payouts')).viewer);
    const answer = await context.app.inject({ method: 'POST', url: path });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.body).toContain('You are unsubscribed');
    expect(answer.body).toContain('&#34;Payouts&#34; e-mails will no longer be sent');
    expect((await mailOf('payouts')).viewer).toBeUndefined();
  });
});

describe('GET /unsubscribe/<token>', () => {
  it('shows a page with a button that posts, and changes nothing by itself', async () => {
    await a.admin.request('PUT', '/api/cabinet/message-subscriptions/payouts', { delivery: 'immediate' });
    const path = pathOf((await mailOf('payouts')).admin);
    const page = await context.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Больше не присылать на ${a.adminEmail} письма «Выплаты»?`);
    expect(page.body).toMatch(/<form method="post">/);
    expect(page.headers['content-security-policy']).toContain("form-action 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(await deliveryOf(a.admin, 'payouts')).toBe('immediate');

    const pressed = await context.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'from=page',
    });
    expect(pressed.statusCode).toBe(200);
    expect(pressed.body).toContain('Письма «Выплаты» больше не будут приходить');
    expect(await deliveryOf(a.admin, 'payouts')).toBe('off');
    const entries = await auditEntries(context, 'messages.subscription_changed', { target: 'payouts' });
    expect(entries.at(-1)?.details).toMatchObject({ channel: 'unsubscribe_page', previous: 'immediate' });
  });
});

describe('tokens that are not genuine', () => {
  it('changes nothing for forged, altered, foreign-key and security tokens', async () => {
    await a.admin.request('PUT', '/api/cabinet/message-subscriptions/refunds', { delivery: 'immediate' });
    const mail = await mailOf('refunds');
    const adminToken = pathOf(mail.admin).split('/').at(-1)!;
    const viewerToken = pathOf(mail.viewer).split('/').at(-1)!;
    const [, , adminMac] = adminToken.split('.');
    const [, , viewerMac] = viewerToken.split('.');
    const otherKey = Buffer.from('33'.repeat(32), 'hex');
    const candidates = [
      `${a.adminId}.refunds.${viewerMac}`, // the viewer's signature on the administrator's id
      `${a.viewerId}.refunds.${adminMac}`,
      `${a.adminId}.payouts.${adminMac}`, // another category under the same signature
      `${a.adminId}.refunds.${adminMac?.slice(0, -2)}AA`,
      createUnsubscribeToken(otherKey, { userId: a.adminId, category: 'refunds' }),
      // A genuine signature on the one category that cannot be turned off.
      createUnsubscribeToken(Buffer.from(TEST_MASTER_KEY, 'hex'), {
        userId: a.adminId,
        category: 'security',
      }),
      `${a.adminId}.refunds`,
      `${adminToken}.extra`,
      'usr_unknown.refunds.' + adminMac,
      'x'.repeat(99),
    ];
    const auditBefore = (await auditEntries(context, 'messages.subscription_changed')).length;
    for (const token of candidates) {
      for (const method of ['GET', 'POST'] as const) {
        const answer = await context.app.inject({ method, url: `/unsubscribe/${encodeURIComponent(token)}` });
        expect(answer.statusCode, `${method} ${token}`).toBe(404);
        expect(answer.body).toContain('Ссылка недействительна');
      }
    }
    expect(await deliveryOf(a.admin, 'refunds')).toBe('immediate');
    expect(await deliveryOf(a.admin, 'security')).toBe('immediate');
    expect((await auditEntries(context, 'messages.subscription_changed')).length).toBe(auditBefore);
    const still = await mailOf('refunds');
    expect(still.admin).toBeDefined();
    expect(still.viewer).toBeDefined();
    expect(mail.admin?.headers?.['List-Unsubscribe']).not.toBe(mail.viewer?.headers?.['List-Unsubscribe']);

    // The viewer's genuine token unsubscribes the viewer, never the administrator.
    expect((await oneClick(`/unsubscribe/${viewerToken}`)).statusCode).toBe(200);
    const after = await mailOf('refunds');
    expect(after.viewer).toBeUndefined();
    expect(after.admin).toBeDefined();
  });
});
