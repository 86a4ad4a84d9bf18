/** The account's bank details for payouts: read, and replace (validated, audited with the changed fields). */
import type { Kysely } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { validateBankDetails, type BankDetails, type BankDetailsInput } from './bank-details.validation.js';
import { withPayoutTables, withPayoutTablesInTransaction, type BankDetailsTable } from './payout.tables.js';

export interface BankDetailsView extends BankDetails {
  readonly updatedAt: string;
}

function toDetails(row: BankDetailsTable): BankDetails {
  return {
    bik: row.bik,
    settlementAccount: row.settlement_account,
    correspondentAccount: row.correspondent_account,
    inn: row.inn,
    kpp: row.kpp,
    recipientName: row.recipient_name,
  };
}

export async function findBankDetails(
  db: Kysely<Database>,
  accountId: string,
): Promise<BankDetails | undefined> {
  const row = await withPayoutTables(db)
    .selectFrom('bank_details')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row ? toDetails(row) : undefined;
}

export async function readBankDetails(
  db: Kysely<Database>,
  accountId: string,
): Promise<BankDetailsView | null> {
  const row = await withPayoutTables(db)
    .selectFrom('bank_details')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row ? { ...toDetails(row), updatedAt: row.updated_at.toISOString() } : null;
}

export async function saveBankDetails(
  deps: Deps,
  actor: { readonly accountId: string; readonly userId: string },
  input: BankDetailsInput,
  ip: string | null,
): Promise<BankDetailsView> {
  const checked = validateBankDetails(input);
  if (!checked.ok) throw validationError(checked.problems);
  const details = checked.details;
  return deps.db.transaction().execute(async (trx) => {
    const tables = withPayoutTablesInTransaction(trx);
    const previous = await tables
      .selectFrom('bank_details')
      .selectAll()
      .where('account_id', '=', actor.accountId)
      .forUpdate()
      .executeTakeFirst();
    const before = previous ? toDetails(previous) : undefined;
    const changedFields = (Object.keys(details) as (keyof BankDetails)[]).filter(
      (field) => before?.[field] !== details[field],
    );
    const now = deps.clock.now();
    const row = {
      bik: details.bik,
      settlement_account: details.settlementAccount,
      correspondent_account: details.correspondentAccount,
      inn: details.inn,
      kpp: details.kpp,
      recipient_name: details.recipientName,
      updated_by: actor.userId,
      updated_at: now,
    };
    await tables
      .insertInto('bank_details')
      .values({ account_id: actor.accountId, ...row })
      .onConflict((conflict) => conflict.column('account_id').doUpdateSet(row))
      .execute();
    // Field names only: the numbers themselves are personal and banking data, kept out of the log.
    if (changedFields.length > 0)
      await recordAudit(trx, deps.clock, {
        accountId: actor.accountId,
        actorUserId: actor.userId,
        action: 'bank_details.updated',
        target: actor.accountId,
        details: { fields: changedFields },
        ip,
      });
    return { ...details, updatedAt: now.toISOString() };
  });
}
