/**
 * The KYC questionnaire over HTTP on real PostgreSQL: drafts, documents checked by content, submission
 * with field-level problems (nothing changes on refusal), only the administrator, the operator's queue,
 * rejection with reasons per field reaching messages and e-mail, resubmission, approval, role limits,
 * and another account's documents staying "not found".
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/client.js';
import { addEmployee, createOperator, registerMerchant } from '../support/flows.js';
import { createTestContext, type TestContext } from '../support/harness.js';
import { deliveredSince, inbox } from '../messages/messages-support.js';
import { LEGAL_ENTITY, PDF_BYTES, PNG_BYTES, SELF_EMPLOYED } from './kyc-helpers.js';

let context: TestContext;
const a = {} as { admin: TestBrowser; accountId: string; email: string; viewer: TestBrowser };
const b = {} as { admin: TestBrowser; accountId: string };
let moderator: TestBrowser;
let supportAgent: TestBrowser;

const file = (fileName: string, bytes: Buffer, kind = 'registration_certificate') => ({
  kind,
  fileName,
  contentBase64: bytes.toString('base64'),
});

async function questionnaireRow(accountId: string) {
  const result = await sql<{ status: string; fields: Record<string, string> }>`
    select status, fields from kyc_questionnaires where account_id = ${accountId}`.execute(context.deps.db);
  return result.rows[0];
}

async function auditActions(accountId: string): Promise<string[]> {
  const rows = await context.deps.db
    .selectFrom('audit_log')
    .select('action')
    .where('account_id', '=', accountId)
    .execute();
  return rows.map((row) => row.action);
}

beforeAll(async () => {
  context = await createTestContext({ LOG_LEVEL: 'silent' });
  const merchantA = await registerMerchant(context);
  a.admin = merchantA.browser;
  a.accountId = merchantA.me.account.id;
  a.email = merchantA.form.email as string;
  a.viewer = (await addEmployee(context, a.admin, 'viewer')).browser;
  const merchantB = await registerMerchant(context, { legalForm: 'individual' });
  b.admin = merchantB.browser;
  b.accountId = merchantB.me.account.id;
  moderator = (await createOperator(context, 'moderator')).browser;
  supportAgent = (await createOperator(context, 'support')).browser;
});

afterAll(async () => context?.close());

describe('the merchant fills in the questionnaire', () => {
  it('starts as an empty draft with the fields of the account’s legal form', async () => {
    const response = await a.admin.get('/api/cabinet/kyc');
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json();
    expect(view.status).toBe('draft');
    expect(view.legalForm).toBe('legal_entity');
    expect(view.fieldNames).toContain('ogrn');
    const other = (await b.admin.get('/api/cabinet/kyc')).json();
    expect(other.fieldNames).toEqual([
      'fullName',
      'inn',
      'contactPhone',
      'bik',
      'settlementAccount',
      'correspondentAccount',
    ]);
  });

  it('lets only the administrator read or change it', async () => {
    expect((await a.viewer.get('/api/cabinet/kyc')).statusCode).toBe(403);
    expect((await a.viewer.request('PUT', '/api/cabinet/kyc', LEGAL_ENTITY)).statusCode).toBe(403);
    expect((await a.viewer.post('/api/cabinet/kyc/submission', {})).statusCode).toBe(403);
    expect(await questionnaireRow(a.accountId)).toBeUndefined();
  });

  it('refuses a submission with field-level reasons and changes nothing', async () => {
    const saved = await a.admin.request('PUT', '/api/cabinet/kyc', {
      ...LEGAL_ENTITY,
      ogrn: '1027700132196',
      kpp: '7736',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const refused = await a.admin.post('/api/cabinet/kyc/submission', {});
    expect(refused.statusCode).toBe(422);
    const fields = refused.json().error.fields;
    expect(fields.ogrn.code).toBe('checksum_mismatch');
    expect(fields.kpp.code).toBe('invalid_format');
    expect(fields.documents.code).toBe('required');
    expect(fields.ogrn.message).toContain('ОГРН');
    expect((await questionnaireRow(a.accountId))?.status).toBe('draft');
  });

  it('accepts PDF, JPEG and PNG scans only, by their bytes', async () => {
    const text = await a.admin.post('/api/cabinet/kyc/documents', file('scan.pdf', Buffer.from('just text')));
    expect(text.statusCode).toBe(422);
    const exe = await a.admin.post(
      '/api/cabinet/kyc/documents',
      file('scan.pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(40)])),
    );
    expect(exe.statusCode).toBe(422);
    const pdf = await a.admin.post('/api/cabinet/kyc/documents', file('Свидетельство.pdf', PDF_BYTES));
    expect(pdf.statusCode, pdf.body).toBe(201);
    const png = await a.admin.post('/api/cabinet/kyc/documents', file('passport.png', PNG_BYTES, 'passport'));
    expect(png.statusCode, png.body).toBe(201);
    expect(png.json().contentType).toBe('image/png');
    const download = await a.admin.get(`/api/cabinet/kyc/documents/${pdf.json().id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(PDF_BYTES)).toBe(true);
    expect((await b.admin.get(`/api/cabinet/kyc/documents/${pdf.json().id}`)).statusCode).toBe(404);
    expect((await b.admin.request('DELETE', `/api/cabinet/kyc/documents/${pdf.json().id}`)).statusCode).toBe(
      404,
    );
    const removed = await a.admin.request('DELETE', `/api/cabinet/kyc/documents/${png.json().id}`);
    expect(removed.statusCode).toBe(204);
  });

  it('submits a valid questionnaire and freezes it', async () => {
    expect((await a.admin.request('PUT', '/api/cabinet/kyc', LEGAL_ENTITY)).statusCode).toBe(200);
    const submitted = await a.admin.post('/api/cabinet/kyc/submission', {});
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json().status).toBe('submitted');
    expect((await a.admin.request('PUT', '/api/cabinet/kyc', LEGAL_ENTITY)).statusCode).toBe(409);
    expect((await a.admin.post('/api/cabinet/kyc/documents', file('more.pdf', PDF_BYTES))).statusCode).toBe(
      409,
    );
    expect(await auditActions(a.accountId)).toContain('kyc.submitted');
  });
});

describe('the operator decides', () => {
  it('sees the submitted questionnaire in the queue, with its documents; other roles cannot', async () => {
    const queue = await moderator.get('/api/backoffice/kyc/questionnaires');
    expect(queue.statusCode, queue.body).toBe(200);
    expect(queue.json().items.map((item: { accountId: string }) => item.accountId)).toContain(a.accountId);
    expect(queue.json().items.map((item: { accountId: string }) => item.accountId)).not.toContain(
      b.accountId,
    );
    const view = (await moderator.get(`/api/backoffice/kyc/questionnaires/${a.accountId}`)).json();
    expect(view.fields.ogrn).toBe(LEGAL_ENTITY.ogrn);
    const document = await moderator.get(
      `/api/backoffice/kyc/questionnaires/${a.accountId}/documents/${view.documents[0].id}`,
    );
    expect(document.rawPayload.equals(PDF_BYTES)).toBe(true);
    expect(
      (
        await moderator.get(
          `/api/backoffice/kyc/questionnaires/${b.accountId}/documents/${view.documents[0].id}`,
        )
      ).statusCode,
    ).toBe(404);
    expect((await supportAgent.get('/api/backoffice/kyc/questionnaires')).statusCode).toBe(403);
    expect((await a.admin.get('/api/backoffice/kyc/questionnaires')).statusCode).toBe(403);
  });

  it('rejects with reasons per field: the merchant gets a message and a mail listing them', async () => {
    const empty = await moderator.post(`/api/backoffice/kyc/questionnaires/${a.accountId}/decision`, {
      decision: 'rejected',
      reasons: { inn: '  ' },
    });
    expect(empty.statusCode).toBe(422);
    const unknown = await moderator.post(`/api/backoffice/kyc/questionnaires/${a.accountId}/decision`, {
      decision: 'rejected',
      reasons: { ogrnip: 'нет такого поля у ООО' },
    });
    expect(unknown.statusCode).toBe(422);
    const mailBefore = context.mail.sent.length;
    const rejected = await moderator.post(`/api/backoffice/kyc/questionnaires/${a.accountId}/decision`, {
      decision: 'rejected',
      reasons: { legalAddress: 'Адрес не совпадает с ЕГРЮЛ', documents: 'Скан нечитаем' },
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    const own = (await a.admin.get('/api/cabinet/kyc')).json();
    expect(own.status).toBe('rejected');
    expect(own.rejectionReasons).toEqual({
      legalAddress: 'Адрес не совпадает с ЕГРЮЛ',
      documents: 'Скан нечитаем',
    });
    const [message] = (await inbox(a.admin)).items;
    expect(message?.category).toBe('moderation');
    expect(message?.title.ru).toBe('Анкета не прошла модерацию');
    const mails = (await deliveredSince(context, mailBefore)).filter((mail) => mail.to === a.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Юридический адрес: Адрес не совпадает с ЕГРЮЛ');
    expect(
      (
        await moderator.post(`/api/backoffice/kyc/questionnaires/${a.accountId}/decision`, {
          decision: 'approved',
        })
      ).statusCode,
    ).toBe(409);
  });

  it('approves the corrected, resubmitted questionnaire', async () => {
    const fixed = await a.admin.request('PUT', '/api/cabinet/kyc', {
      ...LEGAL_ENTITY,
      legalAddress: '117997, Москва, ул. Вавилова, д. 19',
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect((await a.admin.post('/api/cabinet/kyc/submission', {})).json().rejectionReasons).toEqual({});
    const approved = await moderator.post(`/api/backoffice/kyc/questionnaires/${a.accountId}/decision`, {
      decision: 'approved',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await a.admin.get('/api/cabinet/kyc')).json().status).toBe('approved');
    const titles = (await inbox(a.admin)).items.map((item) => item.title.en);
    expect(titles).toContain('The questionnaire is approved');
    const actions = await auditActions(a.accountId);
    expect(actions).toEqual(expect.arrayContaining(['kyc.rejected', 'kyc.approved', 'kyc.document_added']));
  });

  it('lets a self-employed individual submit with a 12-digit INN', async () => {
    expect((await b.admin.request('PUT', '/api/cabinet/kyc', SELF_EMPLOYED)).statusCode).toBe(200);
    expect(
      (await b.admin.post('/api/cabinet/kyc/documents', file('passport.pdf', PDF_BYTES, 'passport')))
        .statusCode,
    ).toBe(201);
    const submitted = await b.admin.post('/api/cabinet/kyc/submission', {});
    expect(submitted.statusCode, submitted.body).toBe(200);
  });
});
