/**
 * The site moderation checklist: the operator reads the one list of site requirements, rejects a shop by
 * the unticked ones, and the merchant's message and mail list exactly those, in the merchant's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITE_REQUIREMENTS } from '../../src/modules/shops/site-requirements.js';
import type { TestBrowser } from '../support/client.js';
import { createOperator, createShopVia, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { deliveredSince } from '../messages/messages-support.js';

let context: TestContext;
let operator: TestBrowser;

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  operator = (await createOperator(context, 'moderator')).browser;
});

afterAll(async () => context?.close());

async function shopInModeration(language: 'ru' | 'en') {
  const merchant = await registerMerchant(context, { language });
  const shop = await createShopVia(merchant.browser, { name: 'Книжная лавка' });
  const sent = await merchant.browser.post(`/api/cabinet/shops/${shop.id}/moderation`);
  expect(sent.statusCode, sent.body).toBe(200);
  return { merchant, shopId: shop.id as string };
}

describe('site moderation checklist', () => {
  it('serves one requirements list to the checklist and the public page', async () => {
    const response = await operator.get('/api/backoffice/site-requirements');
    expect(response.statusCode).toBe(200);
    expect(response.json().items.map((item: { key: string }) => item.key)).toEqual(
      SITE_REQUIREMENTS.map((item) => item.key),
    );
    // The public requirements page reads the very same list, without signing in.
    const page = await context.app.inject({ method: 'GET', url: '/api/cabinet/site-requirements' });
    expect(page.statusCode).toBe(200);
    expect(page.json().items).toEqual(response.json().items);
  });

  it('rejects by unticked requirements and lists exactly those to the merchant', async () => {
    const { merchant, shopId } = await shopInModeration('en');
    const unknown = await operator.post(`/api/backoffice/shops/${shopId}/reject`, {
      unmetRequirements: ['cats'],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.fields.unmetRequirements.code).toBe('unknown_requirement');
    const before = context.mail.sent.length;
    const rejected = await operator.post(`/api/backoffice/shops/${shopId}/reject`, {
      unmetRequirements: ['offer', 'privacy'],
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    expect(rejected.json().rejectionReason).toContain('Публичная оферта');
    const mails = (await deliveredSince(context, before)).filter((mail) => mail.to === merchant.form.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('A public offer or contract');
    expect(mails[0]!.text).toContain('A privacy policy');
    expect(mails[0]!.text).not.toContain('HTTPS with a valid certificate');
  });

  it('still needs a reason or an unticked requirement to reject', async () => {
    const { shopId } = await shopInModeration('ru');
    const refused = await operator.post(`/api/backoffice/shops/${shopId}/reject`, { unmetRequirements: [] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.reason.code).toBe('required');
  });
});
