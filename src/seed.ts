/**
 * Demo data, documented in the README so people can try integrations against it the way Robokassa's
 * public demo shop is used. Idempotent: an existing demo account is left as it is.
 */
import type { Deps } from './deps.js';
import { createId } from './platform/ids.js';
import { hashPassword } from './modules/accounts/index.js';
import { listMethodItems, setShopMethods } from './modules/methods/index.js';
import { createShop, updateShopSettings } from './modules/shops/index.js';

export const DEMO = {
  operator: { login: 'operator', email: 'operator@kopek.local', password: 'operator-password-1' },
  account: { login: 'demo' },
  administrator: { login: 'admin', email: 'demo@kopek.local', password: 'demo-password-1' },
  shop: {
    name: 'Демо-магазин Kopek',
    merchantLogin: 'demo',
    password1: 'demo_pass1',
    password2: 'demo_pass2',
    password3: 'demo_pass3',
    testPassword1: 'demo_test1',
    testPassword2: 'demo_test2',
  },
  promoCode: 'KOPEK-DEMO',
} as const;

export async function seedDemoData(deps: Deps): Promise<{ created: boolean }> {
  const existing = await deps.db
    .selectFrom('accounts')
    .select('id')
    .where('login', '=', DEMO.account.login)
    .executeTakeFirst();
  if (existing) return { created: false };
  const now = deps.clock.now();
  const accountId = createId('acc');
  const administratorId = createId('usr');
  const [operatorHash, administratorHash] = await Promise.all([
    hashPassword(DEMO.operator.password),
    hashPassword(DEMO.administrator.password),
  ]);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('promo_codes')
      .values({
        code: DEMO.promoCode,
        description: 'Демо: скидка 50% на комиссию на 90 дней / Demo: 50% off fees for 90 days',
        fee_discount_percent: 50,
        discount_days: 90,
        valid_until: null,
        created_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await trx
      .insertInto('users')
      .values({
        id: createId('usr'),
        account_id: null,
        login: DEMO.operator.login,
        email: DEMO.operator.email,
        role: 'operator',
        staff_role: 'administrator',
        status: 'active',
        password_hash: operatorHash,
        language: 'ru',
        created_at: now,
        password_changed_at: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await trx
      .insertInto('accounts')
      .values({
        id: accountId,
        login: DEMO.account.login,
        country: 'RU',
        currency: 'RUB',
        document_flow: 'edo',
        legal_form: 'legal_entity',
        status: 'active',
        promo_code: null,
        language: 'ru',
        created_at: now,
        confirmed_at: now,
      })
      .execute();
    await trx
      .insertInto('users')
      .values({
        id: administratorId,
        account_id: accountId,
        login: DEMO.administrator.login,
        email: DEMO.administrator.email,
        role: 'administrator',
        status: 'active',
        password_hash: administratorHash,
        language: 'ru',
        created_at: now,
        password_changed_at: now,
      })
      .execute();
  });
  const actor = { userId: administratorId, accountId, role: 'administrator' as const };
  const meta = { ip: '127.0.0.1', userAgent: 'kopek seed' };
  const { name, merchantLogin, ...passwords } = DEMO.shop;
  const shop = await createShop(
    deps,
    actor,
    {
      name,
      merchantLogin,
      siteUrl: `${deps.config.publicUrl}/demo-store`,
      description: 'Магазин для проб интеграции',
      passwords,
    },
    meta,
  );
  const store = `${deps.config.publicUrl}/demo-store`;
  await updateShopSettings(
    deps,
    actor,
    shop.id,
    {
      hashAlgorithm: 'MD5',
      resultUrl: `${store}/result`,
      resultMethod: 'POST',
      successUrl: `${store}/success`,
      successMethod: 'GET',
      failUrl: `${store}/fail`,
      failMethod: 'GET',
    },
    meta,
  );
  // The demo shop is active from the start, as if the operator had approved it, with recurring and
  // saved-card payments and holds allowed so that they can be tried at once.
  await deps.db
    .updateTable('shops')
    .set({ status: 'active', reviewed_at: now, is_recurring_allowed: true, is_hold_allowed: true })
    .where('id', '=', shop.id)
    .execute();
  // Every payment method is on, so each sandbox can be tried from the demo store.
  await deps.db.transaction().execute((trx) =>
    setShopMethods(trx, {
      shopId: shop.id,
      changes: listMethodItems().map(({ item }) => ({ label: item.label, isEnabled: true })),
      changedBy: null,
      now,
    }),
  );
  return { created: true };
}
