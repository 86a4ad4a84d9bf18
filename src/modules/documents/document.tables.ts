/**
 * Table types of the documents module (migration 0025_documents.sql), added to the shared Database type
 * only inside this module through Kysely's withTables, as the support and messages modules do.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../schema.js';

export const DOCUMENT_KINDS = ['agent_report', 'act', 'reconciliation', 'invoice'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const DOCUMENT_STATUSES = ['sent', 'awaiting_dispatch', 'dispatched'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export type DocumentsTable = {
  id: string;
  account_id: string;
  kind: DocumentKind;
  /** 'YYYY-MM-DD' (date columns are read as text). */
  period_start: string;
  period_end: string;
  number: string;
  delivery: 'electronic' | 'paper';
  status: DocumentStatus;
  figures: unknown;
  pdf: Uint8Array;
  xlsx: Uint8Array | null;
  dispatched_at: string | null;
  tracking_number: string | null;
  dispatched_by: string | null;
  created_at: Date;
};

type DocumentTables = { documents: DocumentsTable };
export type DocumentDatabase = Database & DocumentTables;

export function withDocumentTables(db: Transaction<Database>): Transaction<DocumentDatabase>;
export function withDocumentTables(db: Kysely<Database>): Kysely<DocumentDatabase>;
export function withDocumentTables(
  db: Kysely<Database> | Transaction<Database>,
): Kysely<DocumentDatabase> | Transaction<DocumentDatabase> {
  return db.withTables<DocumentTables>();
}
