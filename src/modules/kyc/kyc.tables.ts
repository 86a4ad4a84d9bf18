/**
 * Table types of the KYC module (migration 0026_kyc.sql), added to the shared Database type only inside
 * this module through Kysely's withTables, as the support module does.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../schema.js';

export const KYC_STATUSES = ['draft', 'submitted', 'approved', 'rejected'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export const KYC_DOCUMENT_KINDS = ['passport', 'registration_certificate', 'charter', 'other'] as const;
export type KycDocumentKind = (typeof KYC_DOCUMENT_KINDS)[number];

export type KycDocumentType = 'image/png' | 'image/jpeg' | 'application/pdf';

export type KycQuestionnairesTable = {
  account_id: string;
  status: KycStatus;
  fields: Record<string, string>;
  rejection_reasons: Record<string, string>;
  submitted_at: Date | null;
  decided_at: Date | null;
  decided_by_user_id: string | null;
  created_at: Date;
  updated_at: Date;
};

export type KycDocumentsTable = {
  id: string;
  account_id: string;
  kind: KycDocumentKind;
  file_name: string;
  content_type: KycDocumentType;
  size_bytes: number;
  sha256: string;
  content: Uint8Array;
  created_at: Date;
};

export type KycTables = { kyc_questionnaires: KycQuestionnairesTable; kyc_documents: KycDocumentsTable };
export type KycDatabase = Database & KycTables;

export function withKycTables(db: Transaction<Database>): Transaction<KycDatabase>;
export function withKycTables(db: Kysely<Database>): Kysely<KycDatabase>;
export function withKycTables(
  db: Kysely<Database> | Transaction<Database>,
): Kysely<KycDatabase> | Transaction<KycDatabase> {
  return db.withTables<KycTables>();
}
