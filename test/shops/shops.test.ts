import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/client.js';
import {
  auditEntries,
  countRows,
  createOperator,
  createShopVia,
  GOOD_PASSWORD,
  registerMerchant,
  shopForm,
} from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

const PASSWORDS = {
  password1: 'FirstPass1',
  password2: 'SecondPass2',
  password3: 'ThirdPass3',
  testPassword1: 'TestFirst1',
  testPassword2: 'TestSecond2',
};

async function shopRow(shopId: string) {
  return context.deps.db.selectFrom('shops').selectAll().where('id', '=', shopId).executeTakeFirstOrThrow();
}

async function reveal(browser: TestBrowser, shopId: string, password = GOOD_PASSWORD) {
  return browser.post(`/api/cabinet/shops/${shopId}/passwords/reveal`, { password });
}

describe('creating a shop', () => {
  it('creates a shop in test mode with the default settings and generated passwords', async () => {
    const { browser, me } = await registerMerchant(context);
    const form = shopForm({ name: '  Книжная лавка  ' });
    const response = await browser.post('/api/cabinet/shops', form);
    expect(response.statusCode, response.body).toBe(201);
    const shop = response.json();
    expect(shop).toMatchObject({
      id: expect.stringMatching(/^shp_/),
      name: 'Книжная лавка',
      siteUrl: form.siteUrl,
      description: form.description,
      merchantLogin: form.merchantLogin,
      status: 'test',
      rejectionReason: null,
      hashAlgorithm: 'MD5',
      resultUrl: null,
      resultMethod: 'POST',
      successUrl: null,
      successMethod: 'GET',
      failUrl: null,
      failMethod: 'GET',
    });
    expect(JSON.stringify(shop)).not.toMatch(/password|sealed/i);
    expect(await shopRow(shop.id)).toMatchObject({ account_id: me.account.id, status: 'test' });
    expect((await auditEntries(context, 'shop.created', { target: shop.id }))[0]?.details).toEqual({
      merchantLogin: form.merchantLogin,
    });
    const passwords = (await reveal(browser, shop.id)).json();
    expect(Object.keys(passwords).sort()).toEqual(Object.keys(PASSWORDS).sort());
    for (const value of Object.values(passwords)) expect(value).toMatch(/^(?=.*[A-Za-z])(?=.*\d)\w{16}$/);
    expect(new Set(Object.values(passwords)).size).toBe(5);
  });

  it('reports each invalid field and creates nothing', async () => {
    const { browser } = await registerMerchant(context);
    const before = await countRows(context, 'shops');
    const response = await browser.post('/api/cabinet/shops', {
      name: '   ',
      siteUrl: 'not a url',
      merchantLogin: 'bad login!',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields).toEqual({
      name: expect.objectContaining({ code: 'required' }),
      siteUrl: expect.objectContaining({ code: 'invalid_url' }),
      merchantLogin: expect.objectContaining({ code: 'invalid_merchant_login' }),
    });
    for (const [field, value, code] of [
      ['siteUrl', 'ftp://books.example.ru', 'invalid_url'],
      ['siteUrl', '', 'required'],
      ['merchantLogin', 'ab', 'invalid_merchant_login'],
      ['merchantLogin', 'кириллица', 'invalid_merchant_login'],
      ['name', 'x'.repeat(101), 'too_long'],
    ] as const) {
      const single = await browser.post('/api/cabinet/shops', shopForm({ [field]: value }));
      expect(single.statusCode).toBe(422);
      expect(single.json().error.fields).toEqual({ [field]: expect.objectContaining({ code }) });
    }
    const missing = await browser.post('/api/cabinet/shops', { name: 'Shop' });
    expect(missing.statusCode).toBe(422);
    expect(Object.keys(missing.json().error.fields).sort()).toEqual(['merchantLogin', 'siteUrl']);
    expect(await countRows(context, 'shops')).toBe(before);
  });

  it('refuses a MerchantLogin taken by any shop, ignoring case', async () => {
    const first = await registerMerchant(context);
    const second = await registerMerchant(context);
    const shop = await createShopVia(first.browser, { merchantLogin: 'Taken_Login' });
    const before = await countRows(context, 'shops');
    for (const browser of [first.browser, second.browser]) {
      const response = await browser.post('/api/cabinet/shops', shopForm({ merchantLogin: 'taken_LOGIN' }));
      expect(response.statusCode).toBe(422);
      expect(response.json().error.fields).toEqual({
        merchantLogin: expect.objectContaining({ code: 'merchant_login_taken' }),
      });
    }
    expect(await countRows(context, 'shops')).toBe(before);
    expect(shop.merchantLogin).toBe('Taken_Login');
  });
});

describe('shop settings', () => {
  it('changes the hash algorithm, URLs, methods and passwords, auditing field names only', async () => {
    const { browser, me } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const patch = {
      hashAlgorithm: 'SHA256',
      resultUrl: 'https://books.example.ru/kopek/result',
      resultMethod: 'GET',
      successUrl: 'https://books.example.ru/kopek/success',
      successMethod: 'POST',
      failUrl: 'https://books.example.ru/kopek/fail',
      failMethod: 'POST',
      ...PASSWORDS,
    };
    const response = await browser.patch(`/api/cabinet/shops/${shop.id}`, patch);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      hashAlgorithm: 'SHA256',
      resultUrl: patch.resultUrl,
      resultMethod: 'GET',
      successUrl: patch.successUrl,
      successMethod: 'POST',
      failUrl: patch.failUrl,
      failMethod: 'POST',
    });
    expect(response.body).not.toContain(PASSWORDS.password1);
    expect(await shopRow(shop.id)).toMatchObject({
      hash_algorithm: 'SHA256',
      result_url: patch.resultUrl,
      result_method: 'GET',
    });
    expect((await reveal(browser, shop.id)).json()).toEqual(PASSWORDS);

    const entries = await auditEntries(context, 'shop.settings_changed', { target: shop.id });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_user_id: me.user.id, account_id: me.account.id });
    expect((entries[0]?.details.fields as string[]).sort()).toEqual(Object.keys(patch).sort());
    const serialized = JSON.stringify(entries[0]?.details);
    for (const password of Object.values(PASSWORDS)) expect(serialized).not.toContain(password);
  });

  it('clears a URL given as empty, and leaves fields that are not sent alone', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    await browser.patch(`/api/cabinet/shops/${shop.id}`, { resultUrl: 'https://books.example.ru/r' });
    const response = await browser.patch(`/api/cabinet/shops/${shop.id}`, {
      resultUrl: '',
      hashAlgorithm: 'SHA1',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ resultUrl: null, hashAlgorithm: 'SHA1', name: 'Книжная лавка' });
  });

  it('refuses unknown choices and malformed URLs, changing nothing', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const before = await shopRow(shop.id);
    const response = await browser.patch(`/api/cabinet/shops/${shop.id}`, {
      hashAlgorithm: 'CRC32',
      resultMethod: 'PUT',
      resultUrl: 'javascript:alert(1)',
      siteUrl: '',
    });
    expect(response.statusCode).toBe(422);
    expect(Object.keys(response.json().error.fields).sort()).toEqual([
      'hashAlgorithm',
      'resultMethod',
      'resultUrl',
      'siteUrl',
    ]);
    expect(await shopRow(shop.id)).toEqual(before);
    expect(await auditEntries(context, 'shop.settings_changed', { target: shop.id })).toHaveLength(0);
  });

  it('refuses weak shop passwords', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const before = await shopRow(shop.id);
    for (const password of ['Short1', 'NoDigitsHere', '1234567890']) {
      const response = await browser.patch(`/api/cabinet/shops/${shop.id}`, { password3: password });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.fields).toEqual({
        password3: expect.objectContaining({ code: 'weak_shop_password' }),
      });
    }
    const colon = await browser.patch(`/api/cabinet/shops/${shop.id}`, { password1: 'Has:colon1' });
    expect(colon.json().error.fields.password1.code).toBe('invalid_shop_password');
    expect(await shopRow(shop.id)).toEqual(before);
  });

  it('refuses password #1 equal to password #2, also when only one of them changes', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const both = await browser.patch(`/api/cabinet/shops/${shop.id}`, {
      password1: 'SamePass12',
      password2: 'SamePass12',
    });
    expect(both.statusCode).toBe(422);
    expect(both.json().error.fields).toEqual({
      password2: expect.objectContaining({ code: 'passwords_must_differ' }),
    });

    const { password1 } = (await reveal(browser, shop.id)).json();
    const onlySecond = await browser.patch(`/api/cabinet/shops/${shop.id}`, { password2: password1 });
    expect(onlySecond.statusCode).toBe(422);
    expect(onlySecond.json().error.fields).toEqual({
      password2: expect.objectContaining({ code: 'passwords_must_differ' }),
    });
    const { password2 } = (await reveal(browser, shop.id)).json();
    const onlyFirst = await browser.patch(`/api/cabinet/shops/${shop.id}`, { password1: password2 });
    expect(onlyFirst.statusCode).toBe(422);
    expect(onlyFirst.json().error.fields).toEqual({
      password1: expect.objectContaining({ code: 'passwords_must_differ' }),
    });
    const after = (await reveal(browser, shop.id)).json();
    expect(after.password1).toBe(password1);
    expect(after.password2).toBe(password2);
    expect(after.password1).not.toBe(after.password2);
  });

  it('refuses test password #1 equal to test password #2 when both are sent', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const response = await browser.patch(`/api/cabinet/shops/${shop.id}`, {
      testPassword1: 'SameTest12',
      testPassword2: 'SameTest12',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields).toEqual({
      testPassword2: expect.objectContaining({ code: 'passwords_must_differ' }),
    });
  });

  // Bug: updateShopSettings compares only #1/#2 against the stored values, not the test pair. See the report.
  it('refuses test password #2 changed alone to equal the stored test password #1', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const { testPassword1 } = (await reveal(browser, shop.id)).json();
    const response = await browser.patch(`/api/cabinet/shops/${shop.id}`, { testPassword2: testPassword1 });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields).toEqual({
      testPassword2: expect.objectContaining({ code: 'passwords_must_differ' }),
    });
  });

  it('stores passwords sealed: no column holds the plaintext', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    await browser.patch(`/api/cabinet/shops/${shop.id}`, PASSWORDS);
    const row = await shopRow(shop.id);
    const sealed = [
      row.password1_sealed,
      row.password2_sealed,
      row.password3_sealed,
      row.test_password1_sealed,
      row.test_password2_sealed,
    ];
    for (const value of sealed) expect(value).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const wholeRow = JSON.stringify(row);
    for (const password of Object.values(PASSWORDS)) expect(wholeRow).not.toContain(password);
  });
});

describe('revealing shop passwords', () => {
  it('needs the own password: a wrong one is a field error and is not audited as a reveal', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const response = await reveal(browser, shop.id, 'not my password');
    expect(response.statusCode).toBe(422);
    expect(response.json().error.fields).toEqual({
      password: expect.objectContaining({ code: 'wrong_password' }),
    });
    expect(response.body).not.toMatch(/password1/);
    expect(await auditEntries(context, 'shop.passwords_revealed', { target: shop.id })).toHaveLength(0);
  });

  it('shows all five passwords with the right own password, and audits it', async () => {
    const { browser, me } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    await browser.patch(`/api/cabinet/shops/${shop.id}`, PASSWORDS);
    const response = await reveal(browser, shop.id);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual(PASSWORDS);
    const entries = await auditEntries(context, 'shop.passwords_revealed', { target: shop.id });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_user_id: me.user.id, account_id: me.account.id });
  });
});

describe('moderation by the merchant', () => {
  it('sends a test shop for moderation once; a second time is a conflict', async () => {
    const { browser } = await registerMerchant(context);
    const shop = await createShopVia(browser);
    const sent = await browser.post(`/api/cabinet/shops/${shop.id}/moderation`);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().status).toBe('moderation');
    const row = await shopRow(shop.id);
    expect(row.status).toBe('moderation');
    expect(row.submitted_at).toEqual(context.clock.now());
    const again = await browser.post(`/api/cabinet/shops/${shop.id}/moderation`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('cannot_submit');
    expect(await auditEntries(context, 'shop.submitted_for_moderation', { target: shop.id })).toHaveLength(1);
  });
});

describe('tenant isolation', () => {
  it('another merchant sees 404 for every action on the shop and lists only their own', async () => {
    const owner = await registerMerchant(context);
    const shop = await createShopVia(owner.browser);
    const stranger = await registerMerchant(context);
    const theirShop = await createShopVia(stranger.browser);
    const before = await shopRow(shop.id);

    const attempts = [
      await stranger.browser.get(`/api/cabinet/shops/${shop.id}`),
      await stranger.browser.patch(`/api/cabinet/shops/${shop.id}`, { name: 'Stolen', ...PASSWORDS }),
      await reveal(stranger.browser, shop.id),
      await stranger.browser.post(`/api/cabinet/shops/${shop.id}/moderation`),
    ];
    for (const response of attempts) {
      expect(response.statusCode, response.body).toBe(404);
      expect(response.json().error.code).toBe('shop_not_found');
    }
    expect(await shopRow(shop.id)).toEqual(before);
    expect(await auditEntries(context, 'shop.passwords_revealed', { target: shop.id })).toHaveLength(0);
    expect(await auditEntries(context, 'shop.settings_changed', { target: shop.id })).toHaveLength(0);

    const list = await stranger.browser.get('/api/cabinet/shops');
    expect(list.json().items.map((item: { id: string }) => item.id)).toEqual([theirShop.id]);
    const missing = await owner.browser.get('/api/cabinet/shops/shp_doesnotexist');
    expect(missing.json()).toEqual(attempts[0]?.json());
  });
});

describe('moderation by the operator', () => {
  it('lists the queue, needs a reason to reject, and tells the administrator why', async () => {
    const merchant = await registerMerchant(context);
    const shop = await createShopVia(merchant.browser);
    const untouched = await createShopVia(merchant.browser);
    await merchant.browser.post(`/api/cabinet/shops/${shop.id}/moderation`);
    const { browser: operator, id: operatorId } = await createOperator(context);

    const queue = await operator.get('/api/backoffice/shops');
    expect(queue.statusCode, queue.body).toBe(200);
    const queued = queue.json().items as { id: string; accountLogin: string; status: string }[];
    expect(queued.map((item) => item.id)).toContain(shop.id);
    expect(queued.map((item) => item.id)).not.toContain(untouched.id);
    expect(queued.find((item) => item.id === shop.id)).toMatchObject({
      accountLogin: merchant.form.accountLogin,
      status: 'moderation',
    });
    expect(JSON.stringify(queued)).not.toMatch(/sealed/);

    for (const body of [{ reason: '   ' }, {}]) {
      const refused = await operator.post(`/api/backoffice/shops/${shop.id}/reject`, body);
      expect(refused.statusCode).toBe(422);
      expect(refused.json().error.fields).toEqual({ reason: expect.objectContaining({ code: 'required' }) });
    }
    expect((await shopRow(shop.id)).status).toBe('moderation');

    const sentBefore = context.mail.sent.length;
    const rejected = await operator.post(`/api/backoffice/shops/${shop.id}/reject`, {
      reason: '  Нет оферты на сайте  ',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const seen = (await merchant.browser.get(`/api/cabinet/shops/${shop.id}`)).json();
    expect(seen).toMatchObject({ status: 'rejected', rejectionReason: 'Нет оферты на сайте' });
    await context.deliverMail();
    const mail = context.mail.sent.slice(sentBefore);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.to).toBe(merchant.form.email);
    expect(mail[0]?.subject).toBe('Kopek: магазин «Книжная лавка» не прошёл модерацию');
    expect(mail[0]?.text).toContain('Нет оферты на сайте');
    const entries = await auditEntries(context, 'shop.rejected', { target: shop.id });
    expect(entries).toMatchObject([
      {
        actor_user_id: operatorId,
        account_id: merchant.me.account.id,
        details: { reason: 'Нет оферты на сайте' },
      },
    ]);

    const again = await operator.post(`/api/backoffice/shops/${shop.id}/reject`, { reason: 'twice' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_in_moderation');
  });

  it('a rejected shop can be sent again and then activated', async () => {
    const merchant = await registerMerchant(context, { language: 'en' });
    const shop = await createShopVia(merchant.browser, { name: 'Tea shop' });
    const { browser: operator } = await createOperator(context);
    await merchant.browser.post(`/api/cabinet/shops/${shop.id}/moderation`);
    await operator.post(`/api/backoffice/shops/${shop.id}/reject`, { reason: 'No contacts' });

    const resubmitted = await merchant.browser.post(`/api/cabinet/shops/${shop.id}/moderation`);
    expect(resubmitted.statusCode, resubmitted.body).toBe(200);
    expect(resubmitted.json().status).toBe('moderation');

    const activated = await operator.post(`/api/backoffice/shops/${shop.id}/activate`);
    expect(activated.statusCode, activated.body).toBe(200);
    expect(activated.json()).toMatchObject({ status: 'active', rejectionReason: null });
    expect(await shopRow(shop.id)).toMatchObject({ status: 'active', reviewed_at: context.clock.now() });
    await context.deliverMail();
    expect(context.mail.sent.at(-1)).toMatchObject({
      to: merchant.form.email,
      subject: 'Kopek: the shop "Tea shop" is active',
    });
    const active = await operator.get('/api/backoffice/shops?status=active');
    expect(active.json().items.map((item: { id: string }) => item.id)).toContain(shop.id);
    expect((await merchant.browser.post(`/api/cabinet/shops/${shop.id}/moderation`)).statusCode).toBe(409);
  });

  it('keeps merchants out of the back office and operators out of the cabinet', async () => {
    const merchant = await registerMerchant(context);
    const shop = await createShopVia(merchant.browser);
    await merchant.browser.post(`/api/cabinet/shops/${shop.id}/moderation`);
    const { browser: operator } = await createOperator(context);

    for (const response of [
      await merchant.browser.get('/api/backoffice/shops'),
      await merchant.browser.post(`/api/backoffice/shops/${shop.id}/activate`),
      await operator.get('/api/cabinet/shops'),
      await operator.post('/api/cabinet/shops', shopForm()),
    ]) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
    expect((await shopRow(shop.id)).status).toBe('moderation');
    expect((await new TestBrowser(context.app).get('/api/backoffice/shops')).statusCode).toBe(401);
  });
});
