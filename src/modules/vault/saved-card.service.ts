/**
 * Saved cards: a card its holder agreed to be charged with again (Robokassa's Recurring=true), bound to
 * the payment that saved it and to that payment's shop. The number stays sealed in card_vault; a saved
 * card is found only by (shop, payment), so one shop can never reach another shop's card.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import type { Database } from '../../schema.js';

/** Table type of saved_cards (migration 0018_recurring.sql), added to Database inside the vault only. */
export type SavedCardsTable = {
  payment_id: string;
  shop_id: string;
  card_token: string;
  created_at: Date;
};
type VaultTables = { saved_cards: SavedCardsTable };
type Executor = Kysely<Database> | Transaction<Database>;

/** What the rest of Kopek may know about a saved or stored card: never the number. */
export interface CardDescription {
  readonly token: string;
  readonly first6: string;
  readonly last4: string;
  readonly brand: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
}

function withVaultTables(executor: Executor): Kysely<Database & VaultTables> {
  return (executor as Kysely<Database>).withTables<VaultTables>();
}

/**
 * Binds the card to the paid payment and its shop, in the payment's transaction. Idempotent: the
 * outcome of one attempt may be recorded twice (a late answer and a reconcile job), the binding once.
 */
export async function saveCardForPayment(
  trx: Transaction<Database>,
  deps: Pick<Deps, 'clock'>,
  binding: { paymentId: string; shopId: string; cardToken: string },
): Promise<void> {
  await withVaultTables(trx)
    .insertInto('saved_cards')
    .values({
      payment_id: binding.paymentId,
      shop_id: binding.shopId,
      card_token: binding.cardToken,
      created_at: deps.clock.now(),
    })
    .onConflict((conflict) => conflict.column('payment_id').doNothing())
    .execute();
}

/** The card saved by this payment of this shop, or undefined (another shop's payment finds nothing). */
export async function findSavedCard(
  executor: Executor,
  target: { shopId: string; paymentId: string },
): Promise<Selectable<SavedCardsTable> | undefined> {
  return withVaultTables(executor)
    .selectFrom('saved_cards')
    .selectAll()
    .where('payment_id', '=', target.paymentId)
    .where('shop_id', '=', target.shopId)
    .executeTakeFirst();
}

/** Which of these payments saved a card: for the operation list's "recurring parent" mark. */
export async function listPaymentsWithSavedCards(
  executor: Executor,
  paymentIds: readonly string[],
): Promise<Set<string>> {
  if (paymentIds.length === 0) return new Set();
  const rows = await withVaultTables(executor)
    .selectFrom('saved_cards')
    .select('payment_id')
    .where('payment_id', 'in', [...paymentIds])
    .execute();
  return new Set(rows.map((row) => row.payment_id));
}

/** Brand, expiry and the visible digits of a stored card; undefined when the token is unknown. */
export async function describeStoredCard(
  executor: Executor,
  token: string,
): Promise<CardDescription | undefined> {
  const row = await executor
    .selectFrom('card_vault')
    .select(['token', 'first6', 'last4', 'brand', 'expiry_month', 'expiry_year'])
    .where('token', '=', token)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    token: row.token,
    first6: row.first6,
    last4: row.last4,
    brand: row.brand,
    expiryMonth: row.expiry_month,
    expiryYear: row.expiry_year,
  };
}
