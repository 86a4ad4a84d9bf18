/**
 * The sandbox SMS log: the messages the sandbox phone operators "sent" (sandbox_sms), newest first, as
 * the buyer's phone would show them. It stands in for the phone in development and tests: the buyer (or
 * a test) reads the confirmation code here and types it on the payment page. `?phone=` shows one number's
 * messages (typed in any usual form: +7, 8, spaces, brackets). Mounted with the other sandbox pages, so
 * it never answers in production.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../deps.js';
import { html, type SafeHtml } from '../../../platform/http/html.js';
import { formatText, type Language } from '../../../platform/i18n.js';
import type { Database } from '../../../schema.js';
import type { Selectable } from 'kysely';
import { formatPhone, normalizeRussianMobile } from './sandbox-phone.js';
import { sandboxLanguage, sendSandboxPage } from './sandbox-page.js';

/** The newest messages shown: enough to find a code, short enough for a phone's screen. */
export const SMS_LOG_LIMIT = 50;

const TEXTS = {
  ru: {
    title: 'СМС-сообщения песочницы',
    intro:
      'Здесь видны СМС, которые операторы песочницы отправили покупателям: коды подтверждения оплаты со счёта телефона.',
    phone: 'Номер телефона',
    show: 'Показать',
    all: 'Все сообщения',
    invalidPhone: 'Такого номера не бывает: нужен российский мобильный, +7 и 10 цифр.',
    none: 'Сообщений пока нет.',
    noneFor: 'На номер {phone} сообщений не было.',
    from: 'От',
    to: 'Кому',
  },
  en: {
    title: 'Sandbox SMS messages',
    intro:
      'The SMS messages the sandbox operators sent to buyers: the codes that confirm payments from a phone balance.',
    phone: 'Phone number',
    show: 'Show',
    all: 'All messages',
    invalidPhone: 'That is not a number: a Russian mobile is expected, +7 and 10 digits.',
    none: 'No messages yet.',
    noneFor: 'No messages were sent to {phone}.',
    from: 'From',
    to: 'To',
  },
} as const;

type SmsRow = Selectable<Database['sandbox_sms']>;

function moscowTime(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ru-RU', {
    timeZone: 'Europe/Moscow',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(date);
}

export function registerSandboxSmsLog(app: FastifyInstance, deps: Deps): void {
  app.get('/sandbox/sms', async (request, reply) => {
    const language = sandboxLanguage(request);
    const typed = String((request.query as Record<string, unknown> | undefined)?.phone ?? '').trim();
    const phone = typed === '' ? undefined : normalizeRussianMobile(typed);
    const isInvalid = typed !== '' && phone === undefined;
    const messages = isInvalid ? [] : await latestMessages(deps, phone);
    const body = renderLog(language, { typed, phone, isInvalid, messages });
    return sendSandboxPage(reply, isInvalid ? 422 : 200, language, TEXTS[language].title, body);
  });
}

async function latestMessages(deps: Deps, phone: string | undefined): Promise<SmsRow[]> {
  let query = deps.db.selectFrom('sandbox_sms').selectAll();
  if (phone) query = query.where('phone', '=', phone);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(SMS_LOG_LIMIT).execute();
}

function renderLog(
  language: Language,
  state: { typed: string; phone: string | undefined; isInvalid: boolean; messages: readonly SmsRow[] },
): SafeHtml {
  const t = TEXTS[language];
  const empty = state.phone ? formatText(t.noneFor, { phone: formatPhone(state.phone) }) : t.none;
  return html`<section class="card" aria-labelledby="sms-title">
      <h1 id="sms-title">${t.title}</h1>
      <p class="hint">${t.intro}</p>
      <form method="get" action="/sandbox/sms" novalidate>
        ${language === 'en' ? html`<input type="hidden" name="lang" value="en" />` : ''}
        <label for="phone">${t.phone}</label>
        <input
          id="phone"
          name="phone"
          type="tel"
          inputmode="tel"
          maxlength="20"
          placeholder="+7 900 000-00-00"
          value="${state.typed}"
          ${state.isInvalid ? html`aria-invalid="true" aria-describedby="phone-error"` : ''}
        />
        ${state.isInvalid ? html`<p class="error" id="phone-error">${t.invalidPhone}</p>` : ''}
        <button type="submit">${t.show}</button>
      </form>
      ${state.typed !== '' ? html`<p><a class="link" href="${allLink(language)}">${t.all}</a></p>` : ''}
    </section>
    ${
      state.isInvalid
        ? ''
        : state.messages.length === 0
          ? html`<p class="card" role="status">${empty}</p>`
          : html`<div class="sms-log">
              ${state.messages.map((message) => renderMessage(language, message))}
            </div>`
    }`;
}

function allLink(language: Language): string {
  return language === 'en' ? '/sandbox/sms?lang=en' : '/sandbox/sms';
}

function renderMessage(language: Language, message: SmsRow): SafeHtml {
  const t = TEXTS[language];
  return html`<article class="card" data-sms data-phone="${message.phone}">
    <dl>
      <dt>${t.from}</dt>
      <dd>${message.sender}</dd>
      <dt>${t.to}</dt>
      <dd>${formatPhone(message.phone)}</dd>
    </dl>
    <p data-sms-body>${message.body}</p>
    <p class="hint">
      <time datetime="${message.created_at.toISOString()}">${moscowTime(message.created_at, language)}</time>
    </p>
  </article>`;
}
