/**
 * What the merchant hears from support, through the messages module (category "support"): an operator's
 * reply, a resolution, an answer to feedback. Each is a personal message to the person who wrote the
 * ticket or the feedback, posted in the operator's transaction; postMessage mails it when that person
 * keeps support mail on (the default).
 */
import type { Transaction } from 'kysely';
import { formatText } from '../../platform/i18n.js';
import type { Database } from '../../schema.js';
import { postMessage, type MessageDeps } from '../messages/index.js';
import type { FeedbackStatus } from './support.tables.js';

interface TicketRef {
  readonly id: string;
  readonly accountId: string;
  readonly authorUserId: string;
  readonly subject: string;
}

const REPLY_TEXTS = {
  title: { ru: 'Ответ поддержки: «{subject}»', en: 'Support replied: "{subject}"' },
  body: {
    ru: 'Поддержка ответила на ваше обращение «{subject}»:\n\n{reply}\n\nОтветить можно на странице обращения.',
    en: 'Support replied to your request "{subject}":\n\n{reply}\n\nYou can answer on the request’s page.',
  },
  resolvedTitle: { ru: 'Обращение «{subject}» решено', en: 'Request "{subject}" resolved' },
  resolvedBody: {
    ru: 'Поддержка отметила обращение «{subject}» как решённое. Если вопрос остался, ответьте в обращении: оно откроется снова.',
    en: 'Support marked the request "{subject}" as resolved. If the question remains, reply in the request and it reopens.',
  },
};

function fill(text: { ru: string; en: string }, values: Record<string, string>) {
  return { ru: formatText(text.ru, values), en: formatText(text.en, values) };
}

export async function notifyTicketReply(
  trx: Transaction<Database>,
  deps: MessageDeps,
  ticket: TicketRef,
  reply: string,
): Promise<void> {
  const values = { subject: ticket.subject, reply };
  await postMessage(trx, deps, {
    accountId: ticket.accountId,
    userId: ticket.authorUserId,
    category: 'support',
    title: fill(REPLY_TEXTS.title, values),
    body: fill(REPLY_TEXTS.body, values),
    link: `/cabinet/support/tickets/${ticket.id}`,
  });
}

export async function notifyTicketResolved(
  trx: Transaction<Database>,
  deps: MessageDeps,
  ticket: TicketRef,
): Promise<void> {
  const values = { subject: ticket.subject };
  await postMessage(trx, deps, {
    accountId: ticket.accountId,
    userId: ticket.authorUserId,
    category: 'support',
    title: fill(REPLY_TEXTS.resolvedTitle, values),
    body: fill(REPLY_TEXTS.resolvedBody, values),
    link: `/cabinet/support/tickets/${ticket.id}`,
  });
}

const FEEDBACK_STATUS_NAMES: Record<FeedbackStatus, { ru: string; en: string }> = {
  received: { ru: 'получен', en: 'received' },
  under_review: { ru: 'на рассмотрении', en: 'under review' },
  planned: { ru: 'запланирован', en: 'planned' },
  done: { ru: 'сделано', en: 'done' },
  declined: { ru: 'отклонён', en: 'declined' },
};

export async function notifyFeedbackAnswer(
  trx: Transaction<Database>,
  deps: MessageDeps,
  feedback: { id: string; accountId: string; authorUserId: string; status: FeedbackStatus },
  answer: string,
): Promise<void> {
  const status = FEEDBACK_STATUS_NAMES[feedback.status];
  await postMessage(trx, deps, {
    accountId: feedback.accountId,
    userId: feedback.authorUserId,
    category: 'support',
    title: { ru: 'Ответ на ваш отзыв', en: 'An answer to your feedback' },
    body: {
      ru: `Статус вашего отзыва: ${status.ru}.\n\n${answer}`,
      en: `Your feedback's status: ${status.en}.\n\n${answer}`,
    },
    link: '/cabinet/support/feedback',
  });
}
