/** Helpers for the support tests: files as the cabinet sends them, and the support rows in the database. */
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import type { TestContext } from '../support/harness.js';

export const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR-and-the-rest-of-a-tiny-image'),
]);
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
/** A Windows executable: starts with "MZ", whatever name or type the client claims. */
export const EXE_BYTES = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]);

export function file(fileName: string, content: Buffer | string) {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { fileName, contentBase64: bytes.toString('base64') };
}

export interface TicketView {
  id: string;
  topic: string;
  subject: string;
  status: 'open' | 'waiting_for_merchant' | 'resolved';
  shop: { id: string; name: string } | null;
  paymentId: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
  firstRepliedAt: string | null;
  resolvedAt: string | null;
  posts: {
    id: string;
    authorKind: 'merchant' | 'operator';
    authorLogin: string | null;
    isInternal: boolean;
    body: string;
    createdAt: string;
    attachments: { id: string; fileName: string; contentType: string; sizeBytes: number }[];
  }[];
}

export async function openTicketVia(
  browser: TestBrowser,
  body: Record<string, unknown> = {},
): Promise<TicketView> {
  const response = await browser.post('/api/cabinet/support/tickets', {
    topic: 'payments',
    subject: 'Платёж не дошёл',
    body: 'Покупатель оплатил, а ResultURL не пришёл.',
    ...body,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as TicketView;
}

/** Rows of every support table: a refused request must leave these unchanged. */
export async function countSupportRows(context: TestContext): Promise<Record<string, number>> {
  const result = await sql<{ tickets: number; posts: number; files: number; feedback: number }>`
    select (select count(*)::int from support_tickets) as tickets,
           (select count(*)::int from support_posts) as posts,
           (select count(*)::int from support_attachments) as files,
           (select count(*)::int from support_feedback) as feedback`.execute(context.deps.db);
  return { ...result.rows[0]! };
}
