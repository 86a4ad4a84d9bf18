/**
 * The operator's view of the method catalogue and each shop's switches, and the merchant's read-only
 * view of what its shop takes. A change of switches, its audit entry and the merchant's message share
 * one transaction (like moderation decisions), so a rollback leaves neither a trace nor a mail.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import { commonErrors, validationError } from '../../platform/http/errors.js';
import { formatText, type LocalizedText } from '../../platform/i18n.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { postMessage } from '../messages/index.js';
import {
  listMethodGroups,
  listMethodItems,
  type PaymentMethodItem,
  type PaymentMethodKind,
} from './catalog.js';
import type { CardAcquirer } from './providers/card-acquirer.js';
import type { MethodProvider } from './providers/method-provider.js';
import { findProviderForKind } from './providers/method-providers.js';
import { listShopMethods, setShopMethods, type ShopMethod } from './shop-methods.service.js';

export interface ProviderInfo {
  readonly name: string;
  readonly isSandbox: boolean;
}

export interface MethodItemView {
  readonly label: string;
  readonly alias: string;
  readonly name: LocalizedText;
  readonly kind: PaymentMethodKind;
  /** Minor units as decimal strings; null: no limit of the method's own. */
  readonly minMinor: string | null;
  readonly maxMinor: string | null;
  readonly currencies: readonly string[];
  readonly capabilities: { isRefundable: boolean; isHoldable: boolean; isRecurring: boolean };
  readonly isEnabledByDefault: boolean;
}

export interface ShopRef {
  readonly id: string;
  readonly name: string;
  readonly merchantLogin: string;
  readonly accountId: string;
  readonly accountLogin: string;
  readonly status: string;
}

/** Which provider serves each kind: the card acquirer for cards, a method provider for the rest. */
export interface ProviderSet {
  readonly cardAcquirer: Pick<CardAcquirer, 'name' | 'isSandbox'>;
  readonly methodProviders: readonly MethodProvider[];
}

export function providerForKind(providers: ProviderSet, kind: PaymentMethodKind): ProviderInfo | null {
  if (kind === 'bank_card') {
    return { name: providers.cardAcquirer.name, isSandbox: providers.cardAcquirer.isSandbox };
  }
  const provider = findProviderForKind(providers.methodProviders, kind);
  return provider ? { name: provider.name, isSandbox: provider.isSandbox } : null;
}

export function toMethodItemView(item: PaymentMethodItem): MethodItemView {
  return {
    label: item.label,
    alias: item.alias,
    name: item.name,
    kind: item.kind,
    minMinor: item.minValue?.toString() ?? null,
    maxMinor: item.maxValue?.toString() ?? null,
    currencies: item.currencies,
    capabilities: { ...item.capabilities },
    isEnabledByDefault: item.isEnabledByDefault,
  };
}

/** The catalogue as GetCurrencies groups it, each item with the provider that takes it (null: none yet). */
export function describeCatalog(providers: ProviderSet) {
  return {
    groups: listMethodGroups().map((group) => ({
      code: group.code,
      description: group.description,
      items: group.items.map((item) => ({
        ...toMethodItemView(item),
        provider: providerForKind(providers, item.kind),
      })),
    })),
  };
}

async function findShopRef(db: Kysely<Database>, shopId: string): Promise<ShopRef | undefined> {
  const row = await db
    .selectFrom('shops')
    .innerJoin('accounts', 'accounts.id', 'shops.account_id')
    .select([
      'shops.id',
      'shops.name',
      'shops.merchant_login',
      'shops.account_id',
      'shops.status',
      'accounts.login as account_login',
    ])
    .where('shops.id', '=', shopId)
    .executeTakeFirst();
  return row && toShopRef(row);
}

function toShopRef(row: {
  id: string;
  name: string;
  merchant_login: string;
  account_id: string;
  status: string;
  account_login: string;
}): ShopRef {
  return {
    id: row.id,
    name: row.name,
    merchantLogin: row.merchant_login,
    accountId: row.account_id,
    accountLogin: row.account_login,
    status: row.status,
  };
}

/** Shops by exact id, or MerchantLogin, name or account login containing the text; at most 20. */
export async function searchShops(db: Kysely<Database>, text: string): Promise<ShopRef[]> {
  const wanted = text.trim();
  if (wanted === '') return [];
  const pattern = `%${wanted.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  const rows = await db
    .selectFrom('shops')
    .innerJoin('accounts', 'accounts.id', 'shops.account_id')
    .select([
      'shops.id',
      'shops.name',
      'shops.merchant_login',
      'shops.account_id',
      'shops.status',
      'accounts.login as account_login',
    ])
    .where((where) =>
      where.or([
        where('shops.id', '=', wanted),
        where(where.fn('lower', ['shops.merchant_login']), 'like', pattern),
        where(where.fn('lower', ['shops.name']), 'like', pattern),
        where(where.fn('lower', ['accounts.login']), 'like', pattern),
      ]),
    )
    .orderBy('shops.name')
    .orderBy('shops.id')
    .limit(20)
    .execute();
  return rows.map(toShopRef);
}

function toShopMethodView(method: ShopMethod, providers: ProviderSet) {
  return {
    group: { code: method.group.code, description: method.group.description },
    ...toMethodItemView(method.item),
    provider: providerForKind(providers, method.item.kind),
    isEnabled: method.isEnabled,
    isExplicit: method.isExplicit,
  };
}

/** A shop (any account's) with every method and whether it takes it. */
export async function readShopMethodsForOperator(deps: Deps, shopId: string) {
  const shop = await findShopRef(deps.db, shopId);
  if (!shop) throw commonErrors.notFound();
  const methods = await listShopMethods(deps.db, shopId);
  return { shop, items: methods.map((method) => toShopMethodView(method, deps.providers)) };
}

/** The merchant's own shop: the methods it takes, with limits; another account's shop is not found. */
export async function readShopMethodsForMerchant(deps: Deps, accountId: string, shopId: string) {
  const shop = await findShopRef(deps.db, shopId);
  if (!shop || shop.accountId !== accountId) throw commonErrors.notFound();
  const methods = await listShopMethods(deps.db, shopId);
  return {
    items: methods
      .filter((method) => method.isEnabled)
      .map((method) => ({
        group: { code: method.group.code, description: method.group.description },
        ...toMethodItemView(method.item),
      })),
  };
}

export interface MethodChange {
  readonly label: string;
  readonly isEnabled: boolean;
}

const knownLabels = () => new Set(listMethodItems().map(({ item }) => item.label));

function refuseUnknownLabels(changes: readonly MethodChange[]): void {
  const labels = knownLabels();
  const unknown = changes.filter((change) => !labels.has(change.label)).map((change) => change.label);
  if (unknown.length === 0) return;
  throw validationError({
    methods: {
      code: 'unknown_method',
      text: { ru: 'Таких способов оплаты нет: {labels}.', en: 'No such payment methods: {labels}.' },
      values: { labels: unknown.join(', ') },
    },
  });
}

const CHANGE_TEXTS = {
  title: {
    ru: 'Способы оплаты магазина «{name}» изменены',
    en: 'Payment methods of the shop "{name}" changed',
  },
  enabled: { ru: 'Подключены: {names}.', en: 'Enabled: {names}.' },
  disabled: { ru: 'Отключены: {names}.', en: 'Disabled: {names}.' },
  footer: {
    ru: 'Покупатели видят на странице оплаты только подключённые способы. Список — на странице магазина в кабинете.',
    en: 'Buyers see only the enabled methods on the payment page. The list is on the shop page in the cabinet.',
  },
} as const;

function changeMessage(
  shop: ShopRef,
  enabled: readonly PaymentMethodItem[],
  disabled: readonly PaymentMethodItem[],
) {
  const text = (language: 'ru' | 'en') => {
    const names = (items: readonly PaymentMethodItem[]) =>
      items.map((item) => item.name[language]).join(', ');
    const lines = [
      formatText(CHANGE_TEXTS.title[language], { name: shop.name }) + ` (${shop.merchantLogin}).`,
      enabled.length > 0 ? formatText(CHANGE_TEXTS.enabled[language], { names: names(enabled) }) : '',
      disabled.length > 0 ? formatText(CHANGE_TEXTS.disabled[language], { names: names(disabled) }) : '',
    ].filter((line) => line !== '');
    return `${lines.join('\n')}\n\n${CHANGE_TEXTS.footer[language]}`;
  };
  return {
    title: {
      ru: formatText(CHANGE_TEXTS.title.ru, { name: shop.name }),
      en: formatText(CHANGE_TEXTS.title.en, { name: shop.name }),
    },
    body: { ru: text('ru'), en: text('en') },
  };
}

/**
 * Switches methods of a shop. Only switches that change what the shop takes are written, audited
 * (`shop.methods_changed`, labels only) and told to the merchant (category payment_changes); a request
 * that changes nothing writes nothing.
 */
export async function changeShopMethods(
  deps: Deps,
  operator: { readonly userId: string; readonly ip: string },
  shopId: string,
  changes: readonly MethodChange[],
) {
  refuseUnknownLabels(changes);
  const shop = await findShopRef(deps.db, shopId);
  if (!shop) throw commonErrors.notFound();
  await deps.db.transaction().execute(async (trx) => {
    // The shop row is locked so two operators' changes are audited in the order they were applied.
    await trx.selectFrom('shops').select('id').where('id', '=', shopId).forUpdate().executeTakeFirstOrThrow();
    const current = new Map(
      (await listShopMethods(trx, shopId)).map((method) => [method.item.label, method]),
    );
    const effective = changes.filter((change) => current.get(change.label)?.isEnabled !== change.isEnabled);
    if (effective.length === 0) return;
    await setShopMethods(trx, {
      shopId,
      changes: effective,
      changedBy: operator.userId,
      now: deps.clock.now(),
    });
    const itemOf = (label: string) => current.get(label)!.item;
    const enabled = effective.filter((change) => change.isEnabled).map((change) => itemOf(change.label));
    const disabled = effective.filter((change) => !change.isEnabled).map((change) => itemOf(change.label));
    await recordAudit(trx, deps.clock, {
      accountId: shop.accountId,
      actorUserId: operator.userId,
      action: 'shop.methods_changed',
      target: shop.id,
      details: { enabled: enabled.map((item) => item.label), disabled: disabled.map((item) => item.label) },
      ip: operator.ip,
    });
    await postMessage(trx, deps, {
      accountId: shop.accountId,
      category: 'payment_changes',
      ...changeMessage(shop, enabled, disabled),
      link: `/cabinet/shops/${shop.id}`,
    });
  });
  return readShopMethodsForOperator(deps, shopId);
}
