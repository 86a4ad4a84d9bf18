/**
 * Which methods a shop takes. The operator switches methods per shop (shop_payment_methods); a shop
 * without a row for a method takes the catalogue's default for it (the bank card on, the rest off).
 * Checkout shows, and the payment request accepts, only enabled methods.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../schema.js';
import { listMethodItems, type PaymentMethodMatch } from './catalog.js';
import { switchedOffKinds } from './provider-settings.service.js';
import type { MethodProvider } from './providers/method-provider.js';

export interface ShopMethod extends PaymentMethodMatch {
  readonly isEnabled: boolean;
  /** Whether the operator set it (false: the catalogue's default applies). */
  readonly isExplicit: boolean;
}

type Reader = Kysely<Database> | Transaction<Database>;

/** Every catalogue method with whether this shop takes it, in catalogue order. */
export async function listShopMethods(db: Reader, shopId: string): Promise<ShopMethod[]> {
  const rows = await db
    .selectFrom('shop_payment_methods')
    .select(['method_label', 'is_enabled'])
    .where('shop_id', '=', shopId)
    .execute();
  const switches = new Map(rows.map((row) => [row.method_label, row.is_enabled]));
  return listMethodItems().map((match) => {
    const explicit = switches.get(match.item.label);
    return {
      ...match,
      isEnabled: explicit ?? match.item.isEnabledByDefault,
      isExplicit: explicit !== undefined,
    };
  });
}

/**
 * The methods the shop takes and buyers may use now, in catalogue order: a method whose provider the
 * operator switched off (provider settings) is left out, for checkout and GetCurrencies alike.
 */
export async function listEnabledMethods(
  db: Reader,
  shopId: string,
  providers: readonly MethodProvider[],
): Promise<PaymentMethodMatch[]> {
  const offKinds = await switchedOffKinds(db, providers);
  return (await listShopMethods(db, shopId))
    .filter((method) => method.isEnabled && !offKinds.has(method.item.kind))
    .map(({ group, item }) => ({ group, item }));
}

export async function isMethodEnabled(db: Reader, shopId: string, label: string): Promise<boolean> {
  return (await listShopMethods(db, shopId)).some(
    (method) => method.item.label === label && method.isEnabled,
  );
}

/** Sets the operator's switches (in the caller's transaction, beside its audit entry). */
export async function setShopMethods(
  trx: Transaction<Database>,
  input: {
    readonly shopId: string;
    readonly changes: readonly { readonly label: string; readonly isEnabled: boolean }[];
    readonly changedBy: string | null;
    readonly now: Date;
  },
): Promise<void> {
  for (const change of input.changes) {
    await trx
      .insertInto('shop_payment_methods')
      .values({
        shop_id: input.shopId,
        method_label: change.label,
        is_enabled: change.isEnabled,
        changed_by: input.changedBy,
        changed_at: input.now,
      })
      .onConflict((conflict) =>
        conflict.columns(['shop_id', 'method_label']).doUpdateSet({
          is_enabled: change.isEnabled,
          changed_by: input.changedBy,
          changed_at: input.now,
        }),
      )
      .execute();
  }
}
