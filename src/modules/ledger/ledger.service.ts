/**
 * Posting transfers and reading balances. A transfer is a set of legs that sum to zero per currency;
 * debits are positive, credits negative. Posting is idempotent by key: posting the same key twice
 * returns the first transfer and writes nothing. The database checks the balance again at commit and
 * refuses any update or delete, so the invariants hold even against a bug here.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.js';
import { createId } from '../../platform/ids.js';
import type { Currency } from '../../platform/money.js';
import type { Database, LedgerPurpose } from '../../schema.js';

export type ShopPurpose = Extract<LedgerPurpose, 'pending' | 'available' | 'on_hold' | 'in_payout'>;
export type PlatformPurpose = Extract<
  LedgerPurpose,
  'acquirer_clearing' | 'fee_revenue' | 'refunds' | 'escrow' | 'overpayments'
>;

export interface LedgerAccountRef {
  readonly id: string;
  readonly ownerKind: 'shop' | 'platform';
  readonly ownerId: string | null;
  readonly purpose: LedgerPurpose;
  readonly currency: Currency;
}

export function shopAccount(shopId: string, purpose: ShopPurpose, currency: Currency): LedgerAccountRef {
  return {
    id: `shop:${shopId}:${purpose}:${currency}`,
    ownerKind: 'shop',
    ownerId: shopId,
    purpose,
    currency,
  };
}

export function platformAccount(purpose: PlatformPurpose, currency: Currency): LedgerAccountRef {
  return { id: `platform:${purpose}:${currency}`, ownerKind: 'platform', ownerId: null, purpose, currency };
}

export interface TransferLeg {
  readonly account: LedgerAccountRef;
  /** Debit positive, credit negative; never zero. */
  readonly amountMinor: bigint;
}

export interface NewTransfer {
  readonly idempotencyKey: string;
  readonly kind: string;
  readonly reference?: string;
  readonly currency: Currency;
  readonly legs: readonly TransferLeg[];
}

export class LedgerInvariantError extends Error {
  override readonly name = 'LedgerInvariantError';
}

/** The invariant, checked before anything is written: non-zero legs in the transfer's currency, summing to zero. */
export function assertBalanced(transfer: NewTransfer): void {
  if (transfer.legs.length < 2)
    throw new LedgerInvariantError(`transfer ${transfer.idempotencyKey} has fewer than two legs`);
  let sum = 0n;
  for (const leg of transfer.legs) {
    if (leg.amountMinor === 0n)
      throw new LedgerInvariantError(`transfer ${transfer.idempotencyKey} has a zero leg`);
    if (leg.account.currency !== transfer.currency) {
      throw new LedgerInvariantError(`transfer ${transfer.idempotencyKey} mixes currencies`);
    }
    sum += leg.amountMinor;
  }
  if (sum !== 0n)
    throw new LedgerInvariantError(`transfer ${transfer.idempotencyKey} is off balance by ${sum}`);
}

async function ensureAccounts(
  trx: Transaction<Database>,
  clock: Clock,
  accounts: readonly LedgerAccountRef[],
): Promise<void> {
  await trx
    .insertInto('ledger_accounts')
    .values(
      accounts.map((account) => ({
        id: account.id,
        owner_kind: account.ownerKind,
        owner_id: account.ownerId,
        purpose: account.purpose,
        currency: account.currency,
        created_at: clock.now(),
      })),
    )
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}

export async function postTransfer(
  trx: Transaction<Database>,
  clock: Clock,
  transfer: NewTransfer,
): Promise<{ transferId: string; isNew: boolean }> {
  assertBalanced(transfer);
  const now = clock.now();
  const inserted = await trx
    .insertInto('ledger_transfers')
    .values({
      id: createId('trn'),
      idempotency_key: transfer.idempotencyKey,
      kind: transfer.kind,
      reference: transfer.reference ?? null,
      currency: transfer.currency,
      created_at: now,
    })
    .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    const existing = await trx
      .selectFrom('ledger_transfers')
      .select('id')
      .where('idempotency_key', '=', transfer.idempotencyKey)
      .executeTakeFirstOrThrow();
    return { transferId: existing.id, isNew: false };
  }
  await ensureAccounts(
    trx,
    clock,
    transfer.legs.map((leg) => leg.account),
  );
  await trx
    .insertInto('ledger_entries')
    .values(
      transfer.legs.map((leg) => ({
        transfer_id: inserted.id,
        account_id: leg.account.id,
        amount_minor: leg.amountMinor,
        currency: transfer.currency,
        created_at: now,
      })),
    )
    .execute();
  return { transferId: inserted.id, isNew: true };
}

/**
 * The sum of an account's entries (debit positive), from its latest checkpoint on (ledger_balance,
 * migration 0022). A shop's money shows as a negative sum: it is owed to the shop.
 */
export async function sumOfAccount(db: Kysely<Database>, accountId: string): Promise<bigint> {
  const result = await sql<{ total: string }>`select ledger_balance(${accountId})::text as total`.execute(db);
  return BigInt(result.rows[0]?.total ?? '0');
}

export interface ShopBalances {
  readonly pendingMinor: bigint;
  readonly availableMinor: bigint;
  readonly onHoldMinor: bigint;
  readonly inPayoutMinor: bigint;
}

/** What the platform owes the shop, per purpose (credits shown as positive amounts). */
export async function readShopBalances(
  db: Kysely<Database>,
  shopId: string,
  currency: Currency,
): Promise<ShopBalances> {
  const balance = (purpose: ShopPurpose) =>
    sql<string>`(-ledger_balance(${shopAccount(shopId, purpose, currency).id}))::text`;
  const result = await sql<{ pending: string; available: string; on_hold: string; in_payout: string }>`
    select ${balance('pending')} as pending, ${balance('available')} as available,
      ${balance('on_hold')} as on_hold, ${balance('in_payout')} as in_payout`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('readShopBalances: no row');
  return {
    pendingMinor: BigInt(row.pending),
    availableMinor: BigInt(row.available),
    onHoldMinor: BigInt(row.on_hold),
    inPayoutMinor: BigInt(row.in_payout),
  };
}
