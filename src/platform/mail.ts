/**
 * Outgoing e-mail. Every message is stored in mail_messages and delivered by a job enqueued in the same
 * transaction as the change that caused it. With SMTP_URL the job sends through nodemailer; without it the
 * message stays in the development mailbox (/dev/mailbox) and its links are printed in the log.
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import nodemailer from 'nodemailer';
import type { Clock } from './clock.js';
import { enqueueJob, type Executor, type JobHandler } from './jobs.js';
import type { Logger } from './logger.js';

export const MAIL_QUEUE = 'mail.send';

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly accountId?: string | null;
  readonly kind: string;
  /** Extra header fields (List-Unsubscribe and the like): ASCII names, values without line breaks. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Header injection is refused where the mail is made, not left to the transport. */
function checkHeaders(headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[A-Za-z][A-Za-z0-9-]{0,75}$/.test(name) || /[\r\n]/.test(value)) {
      throw new Error(`enqueueMail: header ${JSON.stringify(name)} is not a valid header field`);
    }
  }
}

export async function enqueueMail(executor: Executor, clock: Clock, mail: OutgoingMail): Promise<bigint> {
  if (mail.headers) checkHeaders(mail.headers);
  const headers = mail.headers && Object.keys(mail.headers).length > 0 ? JSON.stringify(mail.headers) : null;
  const inserted = await sql<{ id: bigint }>`
    insert into mail_messages (account_id, kind, to_address, subject, text_body, html_body, status, created_at,
      headers)
    values (${mail.accountId ?? null}, ${mail.kind}, ${mail.to}, ${mail.subject}, ${mail.text}, ${mail.html},
      'queued', ${clock.now()}, ${headers}::jsonb)
    returning id`.execute(executor);
  const id = inserted.rows[0]?.id;
  if (id === undefined) throw new Error('enqueueMail: insert returned no id');
  await enqueueJob(executor, clock, {
    queue: MAIL_QUEUE,
    payload: { messageId: String(id) },
    maxAttempts: 12,
  });
  return id;
}

export interface MailTransport {
  readonly name: 'smtp' | 'dev-mailbox';
  send(message: {
    from: string;
    to: string;
    subject: string;
    text: string;
    html: string;
    headers?: Readonly<Record<string, string>>;
  }): Promise<void>;
}

export function createSmtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    name: 'smtp',
    async send(message) {
      await transporter.sendMail({
        ...message,
        headers: message.headers ? { ...message.headers } : undefined,
      });
    },
  };
}

/** The development transport delivers nowhere: the stored message is the mailbox. */
export function createDevMailboxTransport(logger: Logger): MailTransport {
  return {
    name: 'dev-mailbox',
    async send(message) {
      const links = message.text.match(/https?:\/\/\S+/g) ?? [];
      logger.info(
        { to: message.to, subject: message.subject, links },
        'mail kept in the development mailbox',
      );
    },
  };
}

interface StoredMail {
  id: bigint;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: string;
  headers: Record<string, string> | null;
}

export function createMailDeliveryHandler(deps: {
  db: QueryExecutorProvider;
  clock: Clock;
  transport: MailTransport;
  from: string;
}): JobHandler {
  return async (payload) => {
    const messageId = (payload as { messageId?: unknown }).messageId;
    if (typeof messageId !== 'string' || !/^\d+$/.test(messageId))
      throw new Error('mail job without messageId');
    const found = await sql<StoredMail>`
      select id, to_address, subject, text_body, html_body, status, headers from mail_messages
      where id = ${BigInt(messageId)}`.execute(deps.db);
    const mail = found.rows[0];
    if (!mail || mail.status === 'sent') return;
    await deps.transport.send({
      from: deps.from,
      to: mail.to_address,
      subject: mail.subject,
      text: mail.text_body,
      html: mail.html_body,
      ...(mail.headers ? { headers: mail.headers } : {}),
    });
    await sql`update mail_messages set status = 'sent', transport = ${deps.transport.name}, sent_at = ${deps.clock.now()}
      where id = ${mail.id}`.execute(deps.db);
  };
}
