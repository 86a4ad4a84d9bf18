/**
 * The parties' requisites printed on the documents. The operator's come from the environment
 * (KOPEK_OPERATOR_*), with demo values for development that are obviously not a real company; the
 * merchant's from its approved KYC questionnaire (name, INN, KPP, OGRN/OGRNIP, address) and the bank
 * details it saved for payouts (bank, accounts; the name and codes too while no questionnaire is approved).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../schema.js';
import { readApprovedRequisites } from '../kyc/index.js';

export interface PartyRequisites {
  readonly name: string;
  readonly inn: string;
  readonly kpp: string | null;
  readonly ogrn: string | null;
  readonly address: string | null;
  readonly bankName: string | null;
  readonly bik: string | null;
  readonly settlementAccount: string | null;
  readonly correspondentAccount: string | null;
}

export interface DocumentSettings {
  readonly operator: PartyRequisites;
  /** null: "Без НДС" (the operator applies the simplified tax system); otherwise the VAT rate in percent. */
  readonly vatRatePercent: number | null;
}

export function documentSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DocumentSettings {
  const vat = env.KOPEK_OPERATOR_VAT_RATE?.trim();
  if (vat && !/^\d{1,2}$/.test(vat))
    throw new Error('KOPEK_OPERATOR_VAT_RATE must be a whole percent, e.g. 20');
  return {
    operator: {
      name: env.KOPEK_OPERATOR_NAME ?? 'ООО «Копек» (демо)',
      inn: env.KOPEK_OPERATOR_INN ?? '7700000000',
      kpp: env.KOPEK_OPERATOR_KPP ?? '770001001',
      ogrn: env.KOPEK_OPERATOR_OGRN ?? '1027700000000',
      address: env.KOPEK_OPERATOR_ADDRESS ?? '101000, г. Москва, ул. Демонстрационная, д. 1',
      bankName: env.KOPEK_OPERATOR_BANK ?? 'АО «Демо-Банк»',
      bik: env.KOPEK_OPERATOR_BIK ?? '044525000',
      settlementAccount: env.KOPEK_OPERATOR_ACCOUNT ?? '40702810000000000001',
      correspondentAccount: env.KOPEK_OPERATOR_CORR_ACCOUNT ?? '30101810000000000000',
    },
    vatRatePercent: vat ? Number(vat) : null,
  };
}

/**
 * The merchant's requisites: the approved questionnaire's legal data first, the bank details' otherwise;
 * the login stands in for the name while neither exists.
 */
export async function readMerchantRequisites(
  db: Kysely<Database>,
  accountId: string,
): Promise<PartyRequisites> {
  const result = await sql<{
    login: string;
    recipient_name: string | null;
    inn: string | null;
    kpp: string | null;
    bik: string | null;
    settlement_account: string | null;
    correspondent_account: string | null;
  }>`
    select a.login, b.recipient_name, b.inn, b.kpp, b.bik, b.settlement_account, b.correspondent_account
    from accounts a left join bank_details b on b.account_id = a.id
    where a.id = ${accountId}`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error(`account ${accountId} not found`);
  const approved = await readApprovedRequisites(db, accountId);
  return {
    name: approved?.name ?? row.recipient_name ?? row.login,
    inn: approved?.inn ?? row.inn ?? '—',
    kpp: approved ? approved.kpp : row.kpp,
    ogrn: approved?.ogrn ?? null,
    address: approved?.address ?? null,
    bankName: null,
    bik: row.bik,
    settlementAccount: row.settlement_account,
    correspondentAccount: row.correspondent_account,
  };
}
