/**
 * Shops and their technical settings, always scoped to the caller's account (another account's shop id
 * answers 404). Passwords are sealed at rest and revealed only to an administrator who re-enters their own
 * password; every change and every reveal is audited.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { SecretBox } from '../../platform/crypto.js';
import { isUniqueViolation } from '../../platform/db.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import type { Database, HashAlgorithm, HttpMethod, ShopsTable } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { confirmOwnPassword, type MerchantActor, type RequestMeta } from '../accounts/index.js';
import { shopErrors } from './shop.errors.js';
import {
  checkDescription,
  checkMerchantLogin,
  checkShopName,
  checkShopPassword,
  checkUrl,
  generateShopPassword,
  HASH_ALGORITHMS,
  HTTP_METHODS,
  PASSWORD_FIELDS,
  requiredField,
  samePasswordsProblem,
  type PasswordField,
} from './shop.validation.js';

export type ShopPasswords = Record<PasswordField, string>;

const SEALED_COLUMN = {
  password1: 'password1_sealed',
  password2: 'password2_sealed',
  password3: 'password3_sealed',
  testPassword1: 'test_password1_sealed',
  testPassword2: 'test_password2_sealed',
} as const satisfies Record<PasswordField, keyof ShopsTable>;

export function shopSecretBox(masterKey: Buffer): SecretBox {
  return new SecretBox(masterKey, 'shop-passwords');
}

export function toShopView(shop: ShopsTable) {
  return {
    id: shop.id,
    name: shop.name,
    siteUrl: shop.site_url,
    description: shop.description,
    merchantLogin: shop.merchant_login,
    status: shop.status,
    rejectionReason: shop.rejection_reason,
    hashAlgorithm: shop.hash_algorithm,
    resultUrl: shop.result_url,
    resultMethod: shop.result_method,
    successUrl: shop.success_url,
    successMethod: shop.success_method,
    failUrl: shop.fail_url,
    failMethod: shop.fail_method,
    /** Recurring and saved-card payments, switched on by an operator (Robokassa: "by agreement"). */
    isRecurringAllowed: shop.is_recurring_allowed,
    /** The buyer pays the fee on top of OutSum, so the shop receives exactly OutSum (the merchant's choice). */
    isBuyerFee: shop.is_buyer_fee,
    /** Holds (StepByStep), switched on by an operator (Robokassa: "by prior agreement"). */
    isHoldAllowed: shop.is_hold_allowed,
    createdAt: shop.created_at.toISOString(),
  };
}
export type ShopView = ReturnType<typeof toShopView>;

function collectProblems(problems: Record<string, FieldProblem | undefined>): Record<string, FieldProblem> {
  return Object.fromEntries(
    Object.entries(problems).filter((entry): entry is [string, FieldProblem] => !!entry[1]),
  );
}

const merchantLoginTaken: FieldProblem = {
  code: 'merchant_login_taken',
  text: { ru: 'Такой идентификатор магазина уже занят.', en: 'This shop identifier is taken.' },
};

export interface NewShopInput {
  readonly name: string;
  readonly siteUrl: string;
  readonly description: string;
  readonly merchantLogin: string;
  /** Chosen passwords; the rest are generated. */
  readonly passwords?: Partial<ShopPasswords>;
}

export async function createShop(
  deps: Deps,
  actor: MerchantActor,
  input: NewShopInput,
  meta: RequestMeta,
): Promise<ShopView> {
  const passwords: ShopPasswords = {
    password1: input.passwords?.password1 ?? generateShopPassword(),
    password2: input.passwords?.password2 ?? generateShopPassword(),
    password3: input.passwords?.password3 ?? generateShopPassword(),
    testPassword1: input.passwords?.testPassword1 ?? generateShopPassword(),
    testPassword2: input.passwords?.testPassword2 ?? generateShopPassword(),
  };
  const problems = collectProblems({
    name: checkShopName(input.name),
    siteUrl: input.siteUrl === '' ? requiredField : checkUrl(input.siteUrl, deps.config.isProduction),
    description: checkDescription(input.description),
    merchantLogin: checkMerchantLogin(input.merchantLogin),
    ...checkPasswords(passwords),
  });
  if (Object.keys(problems).length > 0) throw validationError(problems);
  const box = shopSecretBox(deps.config.masterKey);
  const now = deps.clock.now();
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const shop = await trx
        .insertInto('shops')
        .values({
          id: createId('shp'),
          account_id: actor.accountId,
          name: input.name.trim(),
          site_url: input.siteUrl,
          description: input.description,
          merchant_login: input.merchantLogin,
          status: 'test',
          hash_algorithm: 'MD5',
          password1_sealed: box.encrypt(passwords.password1),
          password2_sealed: box.encrypt(passwords.password2),
          password3_sealed: box.encrypt(passwords.password3),
          test_password1_sealed: box.encrypt(passwords.testPassword1),
          test_password2_sealed: box.encrypt(passwords.testPassword2),
          result_method: 'POST',
          success_method: 'GET',
          fail_method: 'GET',
          is_recurring_allowed: false,
          is_buyer_fee: false,
          is_hold_allowed: false,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, deps.clock, {
        accountId: actor.accountId,
        actorUserId: actor.userId,
        action: 'shop.created',
        target: shop.id,
        details: { merchantLogin: shop.merchant_login },
        ip: meta.ip,
      });
      return toShopView(shop);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'shops_merchant_login_key'))
      throw validationError({ merchantLogin: merchantLoginTaken });
    throw error;
  }
}

function checkPasswords(passwords: Partial<ShopPasswords>): Record<string, FieldProblem | undefined> {
  const problems: Record<string, FieldProblem | undefined> = {};
  for (const field of PASSWORD_FIELDS) {
    const value = passwords[field];
    if (value !== undefined) problems[field] = checkShopPassword(value);
  }
  if (passwords.password1 !== undefined && passwords.password1 === passwords.password2) {
    problems.password2 = samePasswordsProblem();
  }
  if (passwords.testPassword1 !== undefined && passwords.testPassword1 === passwords.testPassword2) {
    problems.testPassword2 = samePasswordsProblem();
  }
  return problems;
}

export async function listShops(deps: Deps, accountId: string): Promise<ShopView[]> {
  const shops = await deps.db
    .selectFrom('shops')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .limit(500)
    .execute();
  return shops.map(toShopView);
}

async function findOwnShop(
  executor: Deps['db'] | Transaction<Database>,
  accountId: string,
  shopId: string,
  lock = false,
) {
  let query = executor
    .selectFrom('shops')
    .selectAll()
    .where('id', '=', shopId)
    .where('account_id', '=', accountId);
  if (lock) query = query.forUpdate();
  const shop = await query.executeTakeFirst();
  if (!shop) throw shopErrors.shopNotFound();
  return shop;
}

/** The protocol's entry: a shop by its MerchantLogin (any account), with its sealed passwords. */
export async function findShopByMerchantLogin(
  db: Deps['db'],
  merchantLogin: string,
): Promise<ShopsTable | undefined> {
  return db
    .selectFrom('shops')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['merchant_login']), '=', merchantLogin.toLowerCase()))
    .executeTakeFirst();
}

export async function findShopById(db: Deps['db'], shopId: string): Promise<ShopsTable | undefined> {
  return db.selectFrom('shops').selectAll().where('id', '=', shopId).executeTakeFirst();
}

export async function getShop(deps: Deps, accountId: string, shopId: string): Promise<ShopView> {
  return toShopView(await findOwnShop(deps.db, accountId, shopId));
}

export interface ShopSettingsPatch {
  readonly name?: string | undefined;
  readonly siteUrl?: string | undefined;
  readonly description?: string | undefined;
  readonly hashAlgorithm?: string | undefined;
  readonly resultUrl?: string | null | undefined;
  readonly resultMethod?: string | undefined;
  readonly successUrl?: string | null | undefined;
  readonly successMethod?: string | undefined;
  readonly failUrl?: string | null | undefined;
  readonly failMethod?: string | undefined;
  readonly password1?: string | undefined;
  readonly password2?: string | undefined;
  readonly password3?: string | undefined;
  readonly testPassword1?: string | undefined;
  readonly testPassword2?: string | undefined;
  readonly isBuyerFee?: boolean | undefined;
}

const invalidChoice: FieldProblem = {
  code: 'invalid_choice',
  text: { ru: 'Выберите значение из списка.', en: 'Choose one of the options.' },
};

function checkOptionalUrl(value: string | null | undefined, isProduction: boolean): FieldProblem | undefined {
  return value === undefined || value === null || value === '' ? undefined : checkUrl(value, isProduction);
}

function checkChoice(options: readonly string[], value: string | undefined): FieldProblem | undefined {
  return value === undefined || options.includes(value) ? undefined : invalidChoice;
}

function checkSettingsPatch(patch: ShopSettingsPatch, isProduction: boolean): Record<string, FieldProblem> {
  return collectProblems({
    name: patch.name === undefined ? undefined : checkShopName(patch.name),
    siteUrl:
      patch.siteUrl === undefined
        ? undefined
        : patch.siteUrl === ''
          ? requiredField
          : checkUrl(patch.siteUrl, isProduction),
    description: patch.description === undefined ? undefined : checkDescription(patch.description),
    hashAlgorithm: checkChoice(HASH_ALGORITHMS, patch.hashAlgorithm),
    resultUrl: checkOptionalUrl(patch.resultUrl, isProduction),
    resultMethod: checkChoice(HTTP_METHODS, patch.resultMethod),
    successUrl: checkOptionalUrl(patch.successUrl, isProduction),
    successMethod: checkChoice(HTTP_METHODS, patch.successMethod),
    failUrl: checkOptionalUrl(patch.failUrl, isProduction),
    failMethod: checkChoice(HTTP_METHODS, patch.failMethod),
    ...checkPasswords(patch),
  });
}

const emptyToNull = (value: string | null | undefined) =>
  value === undefined ? undefined : value === '' ? null : value;

export async function updateShopSettings(
  deps: Deps,
  actor: MerchantActor,
  shopId: string,
  patch: ShopSettingsPatch,
  meta: RequestMeta,
): Promise<ShopView> {
  const problems = checkSettingsPatch(patch, deps.config.isProduction);
  if (Object.keys(problems).length > 0) throw validationError(problems);
  const box = shopSecretBox(deps.config.masterKey);
  return deps.db.transaction().execute(async (trx) => {
    const shop = await findOwnShop(trx, actor.accountId, shopId, true);
    // #1 and #2 (live and test) must differ also when only one of a pair changes.
    assertPairStaysDistinct(box, shop, patch, 'password1', 'password2');
    assertPairStaysDistinct(box, shop, patch, 'testPassword1', 'testPassword2');
    const changedPasswords = PASSWORD_FIELDS.filter((field) => patch[field] !== undefined);
    const sealed = Object.fromEntries(
      changedPasswords.map((field) => [SEALED_COLUMN[field], box.encrypt(patch[field] ?? '')]),
    );
    const updated = await trx
      .updateTable('shops')
      .set({
        name: patch.name?.trim(),
        site_url: patch.siteUrl,
        description: patch.description,
        hash_algorithm: patch.hashAlgorithm as HashAlgorithm | undefined,
        result_url: emptyToNull(patch.resultUrl),
        result_method: patch.resultMethod as HttpMethod | undefined,
        success_url: emptyToNull(patch.successUrl),
        success_method: patch.successMethod as HttpMethod | undefined,
        fail_url: emptyToNull(patch.failUrl),
        fail_method: patch.failMethod as HttpMethod | undefined,
        is_buyer_fee: patch.isBuyerFee,
        ...sealed,
        updated_at: deps.clock.now(),
      })
      .where('id', '=', shop.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const changedFields = Object.keys(patch).filter(
      (key) => patch[key as keyof ShopSettingsPatch] !== undefined,
    );
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'shop.settings_changed',
      target: shop.id,
      details: { fields: changedFields },
      ip: meta.ip,
    });
    return toShopView(updated);
  });
}

function assertPairStaysDistinct(
  box: SecretBox,
  shop: ShopsTable,
  patch: ShopSettingsPatch,
  first: PasswordField,
  second: PasswordField,
): void {
  if (patch[first] === undefined && patch[second] === undefined) return;
  const firstValue = patch[first] ?? box.decrypt(shop[SEALED_COLUMN[first]]);
  const secondValue = patch[second] ?? box.decrypt(shop[SEALED_COLUMN[second]]);
  if (firstValue === secondValue) {
    throw validationError({ [patch[second] !== undefined ? second : first]: samePasswordsProblem() });
  }
}

export async function revealShopPasswords(
  deps: Deps,
  actor: MerchantActor,
  shopId: string,
  ownPassword: string,
  meta: RequestMeta,
): Promise<ShopPasswords> {
  const shop = await findOwnShop(deps.db, actor.accountId, shopId);
  await confirmOwnPassword(deps, actor.userId, ownPassword);
  await recordAudit(deps.db, deps.clock, {
    accountId: actor.accountId,
    actorUserId: actor.userId,
    action: 'shop.passwords_revealed',
    target: shop.id,
    ip: meta.ip,
  });
  return readShopPasswords(deps.config.masterKey, shop);
}

export function readShopPasswords(masterKey: Buffer, shop: ShopsTable): ShopPasswords {
  const box = shopSecretBox(masterKey);
  return Object.fromEntries(
    PASSWORD_FIELDS.map((field) => [field, box.decrypt(shop[SEALED_COLUMN[field]])]),
  ) as ShopPasswords;
}

export async function submitShopForModeration(
  deps: Deps,
  actor: MerchantActor,
  shopId: string,
  meta: RequestMeta,
): Promise<ShopView> {
  return deps.db.transaction().execute(async (trx) => {
    const shop = await findOwnShop(trx, actor.accountId, shopId, true);
    if (shop.status !== 'test' && shop.status !== 'rejected')
      throw shopErrors.cannotSubmit({ status: shop.status });
    const updated = await trx
      .updateTable('shops')
      .set({ status: 'moderation', submitted_at: deps.clock.now(), updated_at: deps.clock.now() })
      .where('id', '=', shop.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'shop.submitted_for_moderation',
      target: shop.id,
      ip: meta.ip,
    });
    return toShopView(updated);
  });
}
