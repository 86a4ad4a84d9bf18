/**
 * /dev/mailbox: outgoing mail as stored, newest first, for development without SMTP. Never registered in
 * production (the app does not mount it when NODE_ENV=production).
 */
import type { FastifyInstance } from 'fastify';
import { sql, type QueryExecutorProvider } from 'kysely';
import { escapeHtml } from './html.js';

interface MailRow {
  id: bigint;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: string;
  created_at: Date;
}

function linkify(escapedText: string): string {
  return escapedText.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
}

export function registerDevMailbox(app: FastifyInstance, db: QueryExecutorProvider): void {
  app.get('/dev/mailbox.json', async () => {
    const result = await sql<MailRow>`select id, to_address, subject, text_body, html_body, status, created_at
      from mail_messages order by id desc limit 100`.execute(db);
    return {
      items: result.rows.map((row) => ({
        id: String(row.id),
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        status: row.status,
        createdAt: row.created_at.toISOString(),
      })),
    };
  });

  app.get('/dev/mailbox', async (_request, reply) => {
    const result = await sql<MailRow>`select id, to_address, subject, text_body, html_body, status, created_at
      from mail_messages order by id desc limit 100`.execute(db);
    const items = result.rows
      .map(
        (row) => `<article><h2>${escapeHtml(row.subject)}</h2>
<p class="meta">Кому / To: <b>${escapeHtml(row.to_address)}</b> · ${row.created_at.toISOString()} · ${escapeHtml(row.status)}</p>
<pre>${linkify(escapeHtml(row.text_body))}</pre></article>`,
      )
      .join('\n');
    const empty = '<p>Писем пока нет. / No mail yet.</p>';
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Kopek · почтовый ящик разработчика / development mailbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:860px;margin:24px auto;padding:0 16px;background:#f4f6f8;color:#1d2530}
article{background:#fff;border-radius:8px;padding:16px;margin:12px 0;box-shadow:0 1px 2px #0002}h2{font-size:18px;margin:0 0 4px}
.meta{color:#5b6775;font-size:14px;margin:0 0 8px}pre{white-space:pre-wrap;font-family:inherit;margin:0}a{color:#0b6bcb}</style></head>
<body><h1>Почтовый ящик разработчика</h1><p>Development mailbox: mail is kept here because SMTP_URL is not set.</p>
${items || empty}</body></html>`;
  });
}
