/**
 * Provider settings: the operator switches a method provider (SBP, wallet, bank, terminal, phone...) off
 * during its outage or maintenance and on again, always saying why. A provider without a row in
 * provider_settings is on. While it is off its methods are offered nowhere (checkout, GetCurrencies,
 * GetPaymentMethods, GetRates: listEnabledMethods asks `switchedOffKinds`) and a new attempt with it is
 * refused as 'provider_unavailable'; attempts already open and its callbacks are left alone, because
 * money already moving must land. The card acquirer is not switched here.
 *
 * A switch, its audit entry (provider.disabled / provider.enabled, platform-wide: no account) and a
 * message to every account with a shop that takes one of its methods (category payment_changes: their
 * buyers lose or regain those methods; the operator's reason is internal and not in it) share one
 * transaction; a switch to the state the provider is already in writes nothing.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { defineErrors, validationError } from '../../platform/http/errors.js';
import { formatText, type LocalizedText } from '../../platform/i18n.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { postMessage } from '../messages/index.js';
import { listMethodItems, type PaymentMethodItem, type PaymentMethodKind } from './catalog.js';
import type { MethodProvider } from './providers/method-provider.js';
import { findProviderByName, findProviderForKind } from './providers/method-providers.js';

type Reader = Kysely<Database> | Transaction<Database>;

export const PROVIDER_REASON_MAX_LENGTH = 500;

export const providerErrors = defineErrors({
  providerNotFound: {
    status: 404,
    ru: 'Провайдера способов оплаты «{name}» нет.',
    en: 'There is no payment method provider "{name}".',
  },
});

const REASON_REQUIRED = {
  code: 'required',
  text: {
    ru: 'Укажите причину: например, сбой у провайдера или плановые работы.',
    en: 'Give a reason: the provider’s outage or maintenance, say.',
  },
} as const;

/** Names of the providers the operator switched off. */
export async function switchedOffProviders(db: Reader): Promise<Set<string>> {
  const rows = await db
    .selectFrom('provider_settings')
    .select('provider')
    .where('is_enabled', '=', false)
    .execute();
  return new Set(rows.map((row) => row.provider));
}

export async function isProviderEnabled(db: Reader, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('provider_settings')
    .select('is_enabled')
    .where('provider', '=', name)
    .executeTakeFirst();
  return row?.is_enabled ?? true;
}

/** Method kinds whose provider (the one checkout would use) is switched off now. */
export async function switchedOffKinds(
  db: Reader,
  providers: readonly MethodProvider[],
): Promise<Set<PaymentMethodKind>> {
  const off = await switchedOffProviders(db);
  const kinds = new Set<PaymentMethodKind>();
  if (off.size === 0) return kinds;
  for (const { item } of listMethodItems()) {
    const provider = findProviderForKind(providers, item.kind);
    if (provider && off.has(provider.name)) kinds.add(item.kind);
  }
  return kinds;
}

/** The catalogue methods checkout sends to this provider. */
function methodsOf(providers: readonly MethodProvider[], name: string): PaymentMethodItem[] {
  return listMethodItems()
    .map(({ item }) => item)
    .filter((item) => findProviderForKind(providers, item.kind)?.name === name);
}

export interface ProviderSettingsView {
  readonly name: string;
  readonly isSandbox: boolean;
  readonly kinds: readonly PaymentMethodKind[];
  /** The catalogue methods this provider takes (those checkout sends to it). */
  readonly methods: readonly { label: string; alias: string; name: LocalizedText }[];
  /** The address to give the provider for its notifications. */
  readonly callbackUrl: string;
  readonly isEnabled: boolean;
  /** The last switch: null while nobody switched the provider (it is on by default). */
  readonly reason: string | null;
  readonly changedAt: string | null;
  readonly changedBy: { readonly id: string; readonly login: string } | null;
}

interface SettingsRow {
  provider: string;
  is_enabled: boolean;
  reason: string;
  changed_at: Date;
  changed_by: string | null;
  changed_by_login: string | null;
}

async function readSettingsRows(db: Reader, names: readonly string[]): Promise<Map<string, SettingsRow>> {
  if (names.length === 0) return new Map();
  const rows = await db
    .selectFrom('provider_settings')
    .leftJoin('users', 'users.id', 'provider_settings.changed_by')
    .select([
      'provider_settings.provider',
      'provider_settings.is_enabled',
      'provider_settings.reason',
      'provider_settings.changed_at',
      'provider_settings.changed_by',
      'users.login as changed_by_login',
    ])
    .where('provider_settings.provider', 'in', names)
    .execute();
  return new Map(rows.map((row) => [row.provider, row]));
}

function toView(
  provider: MethodProvider,
  providers: readonly MethodProvider[],
  publicUrl: string,
  row: SettingsRow | undefined,
): ProviderSettingsView {
  const methods = methodsOf(providers, provider.name).map((item) => ({
    label: item.label,
    alias: item.alias,
    name: item.name,
  }));
  return {
    name: provider.name,
    isSandbox: provider.isSandbox,
    kinds: [...provider.kinds],
    methods,
    callbackUrl: `${publicUrl}/providers/${encodeURIComponent(provider.name)}/callback`,
    isEnabled: row?.is_enabled ?? true,
    reason: row?.reason ?? null,
    changedAt: row?.changed_at.toISOString() ?? null,
    changedBy:
      row?.changed_by != null ? { id: row.changed_by, login: row.changed_by_login ?? row.changed_by } : null,
  };
}

/** Every method provider of the installation with its settings, in the installation's order. */
export async function listProviderSettings(deps: Deps): Promise<{ items: ProviderSettingsView[] }> {
  const providers = deps.providers.methodProviders;
  const rows = await readSettingsRows(
    deps.db,
    providers.map((provider) => provider.name),
  );
  return {
    items: providers.map((provider) =>
      toView(provider, providers, deps.config.publicUrl, rows.get(provider.name)),
    ),
  };
}

function requireProvider(deps: Deps, name: string): MethodProvider {
  const provider = findProviderByName(deps.providers.methodProviders, name);
  if (!provider) throw providerErrors.providerNotFound({ name });
  return provider;
}

/** One provider's settings page; an unknown name (or the card acquirer's) is 404. */
export async function readProviderSettings(deps: Deps, name: string): Promise<ProviderSettingsView> {
  const provider = requireProvider(deps, name);
  const rows = await readSettingsRows(deps.db, [provider.name]);
  return toView(provider, deps.providers.methodProviders, deps.config.publicUrl, rows.get(provider.name));
}

export interface ProviderSwitch {
  readonly isEnabled: boolean;
  readonly reason: string;
}

/** Switches a provider off or on with the operator's reason, audited; the same state again writes nothing. */
export async function switchProvider(
  deps: Deps,
  operator: { readonly userId: string; readonly ip: string },
  name: string,
  change: ProviderSwitch,
): Promise<ProviderSettingsView> {
  const provider = requireProvider(deps, name);
  const reason = change.reason.trim();
  if (reason === '') throw validationError({ reason: REASON_REQUIRED });
  await deps.db.transaction().execute(async (trx) => {
    // Two operators switching the same provider are applied and audited one after the other.
    await sql`select pg_advisory_xact_lock(hashtext(${`provider_settings:${provider.name}`}))`.execute(trx);
    if ((await isProviderEnabled(trx, provider.name)) === change.isEnabled) return;
    const now = deps.clock.now();
    const values = { is_enabled: change.isEnabled, reason, changed_by: operator.userId, changed_at: now };
    await trx
      .insertInto('provider_settings')
      .values({ provider: provider.name, ...values })
      .onConflict((conflict) => conflict.column('provider').doUpdateSet(values))
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: null,
      actorUserId: operator.userId,
      action: change.isEnabled ? 'provider.enabled' : 'provider.disabled',
      target: provider.name,
      details: { reason, kinds: [...provider.kinds] },
      ip: operator.ip,
    });
    await tellMerchants(trx, deps, provider, change.isEnabled);
  });
  return readProviderSettings(deps, provider.name);
}

const SWITCH_TEXTS = {
  off: {
    title: { ru: 'Временно недоступно: {methods}', en: 'Temporarily unavailable: {methods}' },
    body: {
      ru: 'Оплата способами «{methods}» временно недоступна покупателям ваших магазинов: у провайдера сбой или плановые работы. Оплаты, начатые раньше, завершатся. Мы напишем, когда способ снова заработает.',
      en: 'Your shops’ buyers temporarily cannot pay with {methods}: the provider has an outage or maintenance. Payments already started will finish. We will write when it works again.',
    },
  },
  on: {
    title: { ru: 'Снова доступно: {methods}', en: 'Available again: {methods}' },
    body: {
      ru: 'Покупатели ваших магазинов снова могут платить способами «{methods}».',
      en: 'Your shops’ buyers can pay with {methods} again.',
    },
  },
} as const;

/** Accounts with a shop that takes one of the provider's methods (switched on, or on by default). */
async function accountsTaking(trx: Transaction<Database>, providerName: string, deps: Deps) {
  const items = methodsOf(deps.providers.methodProviders, providerName);
  if (items.length === 0) return { items, accountIds: [] };
  const rows = await trx
    .selectFrom('shops')
    .select('shops.account_id')
    .distinct()
    .where((eb) => {
      const switchFor = (label: string, isEnabled: boolean) =>
        eb.exists(
          eb
            .selectFrom('shop_payment_methods')
            .select('shop_payment_methods.shop_id')
            .whereRef('shop_payment_methods.shop_id', '=', 'shops.id')
            .where('shop_payment_methods.method_label', '=', label)
            .where('shop_payment_methods.is_enabled', '=', isEnabled),
        );
      return eb.or(
        items.map((item) =>
          item.isEnabledByDefault ? eb.not(switchFor(item.label, false)) : switchFor(item.label, true),
        ),
      );
    })
    .execute();
  return { items, accountIds: rows.map((row) => row.account_id) };
}

async function tellMerchants(
  trx: Transaction<Database>,
  deps: Deps,
  provider: MethodProvider,
  isEnabled: boolean,
): Promise<void> {
  const { items, accountIds } = await accountsTaking(trx, provider.name, deps);
  const texts = isEnabled ? SWITCH_TEXTS.on : SWITCH_TEXTS.off;
  const methods = {
    ru: items.map((item) => item.name.ru).join(', '),
    en: items.map((item) => item.name.en).join(', '),
  };
  for (const accountId of accountIds)
    await postMessage(trx, deps, {
      accountId,
      category: 'payment_changes',
      title: {
        ru: formatText(texts.title.ru, { methods: methods.ru }),
        en: formatText(texts.title.en, { methods: methods.en }),
      },
      body: {
        ru: formatText(texts.body.ru, { methods: methods.ru }),
        en: formatText(texts.body.en, { methods: methods.en }),
      },
    });
}
