/**
 * The merchant's requisites on the closing documents: the approved KYC questionnaire's legal data (name,
 * INN, KPP, OGRN, legal address) with the bank of the payout details; before approval, the bank details.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMerchantRequisites } from '../../src/modules/documents/document.parties.js';
import { registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
let accountId: string;

beforeAll(async () => {
  context = await createTestContext();
  accountId = (await registerMerchant(context)).me.account.id;
});
afterAll(async () => context?.close());

const FIELDS = {
  companyName: 'ООО «Книжная лавка»',
  inn: '7707083893',
  kpp: '773601001',
  ogrn: '1027700132195',
  legalAddress: '117997, г. Москва, ул. Вавилова, д. 19',
  postalAddress: '117997, г. Москва, а/я 1',
  directorName: 'Иванов Иван Иванович',
};

async function questionnaire(status: 'submitted' | 'approved'): Promise<void> {
  await sql`insert into kyc_questionnaires (account_id, status, fields, submitted_at, created_at, updated_at)
    values (${accountId}, ${status}, ${JSON.stringify(FIELDS)}::jsonb, now(), now(), now())
    on conflict (account_id) do update set status = excluded.status`.execute(context.deps.db);
}

describe("the merchant's requisites on documents", () => {
  it('use the login until anything is known, then only an approved questionnaire', async () => {
    const bare = await readMerchantRequisites(context.deps.db, accountId);
    expect(bare).toMatchObject({ inn: '—', ogrn: null, address: null });
    await questionnaire('submitted');
    expect((await readMerchantRequisites(context.deps.db, accountId)).ogrn).toBeNull();
    await questionnaire('approved');
    expect(await readMerchantRequisites(context.deps.db, accountId)).toMatchObject({
      name: 'ООО «Книжная лавка»',
      inn: '7707083893',
      kpp: '773601001',
      ogrn: '1027700132195',
      address: '117997, г. Москва, ул. Вавилова, д. 19',
    });
  });
});
