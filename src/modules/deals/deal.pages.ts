/**
 * The buyer's deal page, server-rendered in checkout's frame (same CSS, strict CSP, escaped output):
 * what is bought from whom, the status, and what the buyer can do now (pay; confirm receipt or open a
 * dispute; nothing once the deal has ended). Forms post to the same secret path.
 */
import type { Language } from '../../platform/i18n.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import { formatMoneyForPeople } from '../../platform/money.js';
import type { OpenedDeal } from './deal-buyer.service.js';
import { MAX_DISPUTE_CHARACTERS } from './deal-buyer.service.js';
import { DEAL_STATUS_TEXTS, dealPageTexts } from './deal.texts.js';

export type PageNotice = 'confirmed' | 'disputed' | 'not_payable' | 'not_confirmable' | 'not_disputable';

export interface DealPageState {
  readonly notice?: PageNotice | undefined;
  /** The dispute text the buyer sent back with a problem, to be corrected. */
  readonly disputeDraft?: string | undefined;
  readonly disputeProblem?: string | undefined;
}

export function formatMoscowTime(moment: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Moscow',
  }).format(moment);
}

function renderNotice(language: Language, opened: OpenedDeal, notice: PageNotice | undefined) {
  if (notice === undefined) return '';
  const t = dealPageTexts(language);
  if (notice === 'confirmed' || notice === 'disputed')
    return html`<p class="alert ok" role="status">${t(notice)}</p>`;
  const text =
    notice === 'not_payable'
      ? t('notPayable', { status: DEAL_STATUS_TEXTS[opened.deal.status][language] })
      : t(notice === 'not_confirmable' ? 'notConfirmable' : 'notDisputable');
  return html`<p class="alert" role="alert">${text}</p>`;
}

function renderPayForm(language: Language, opened: OpenedDeal, path: string): SafeHtml {
  const t = dealPageTexts(language);
  return html`<form method="post" action="${path}/pay" data-once>
      <button type="submit">${t('pay')}</button>
    </form>
    <p class="hint">${t('payHint')} ${t('deadlineHint', { days: opened.deal.deadline_days })}</p>`;
}

function renderPaidActions(language: Language, path: string, state: DealPageState): SafeHtml {
  const t = dealPageTexts(language);
  const problem = state.disputeProblem;
  return html`<form method="post" action="${path}/confirm" data-once>
      <button type="submit">${t('confirm')}</button>
    </form>
    <p class="hint">${t('confirmHint')}</p>
    <h2>${t('disputeTitle')}</h2>
    <form method="post" action="${path}/dispute" data-once>
      <label for="dispute-text">${t('disputeLabel')}</label>
      <textarea
        id="dispute-text"
        name="text"
        rows="5"
        maxlength="${MAX_DISPUTE_CHARACTERS}"
        required
        ${problem ? html`aria-invalid="true" aria-describedby="dispute-error"` : ''}
      >
${state.disputeDraft ?? ''}</textarea>
      ${problem ? html`<p class="error" id="dispute-error">${problem}</p>` : ''}
      <button type="submit" class="button">${t('disputeButton')}</button>
    </form>
    <p class="hint">${t('disputeHint')}</p>`;
}

function renderFacts(language: Language, opened: OpenedDeal): SafeHtml {
  const t = dealPageTexts(language);
  const { deal } = opened;
  const isOpen = deal.status === 'paid';
  return html`<dl>
    <dt>${t('description')}</dt>
    <dd>${deal.description}</dd>
    <dt>${t('status')}</dt>
    <dd><span class="badge">${DEAL_STATUS_TEXTS[deal.status][language]}</span></dd>
    ${
      isOpen && deal.release_at
        ? html`<dt>${t('releaseAt')}</dt>
            <dd>${formatMoscowTime(deal.release_at, language)} (${t('moscowTime')})</dd>`
        : ''
    }
    ${
      deal.dispute_text
        ? html`<dt>${t('disputeText')}</dt>
            <dd>${deal.dispute_text}</dd>`
        : ''
    }
  </dl>`;
}

export function renderDealPage(
  language: Language,
  opened: OpenedDeal,
  path: string,
  state: DealPageState = {},
): SafeHtml {
  const t = dealPageTexts(language);
  const { deal, shop } = opened;
  let actions: SafeHtml | string = '';
  if (deal.status === 'created') actions = renderPayForm(language, opened, path);
  if (deal.status === 'paid') actions = renderPaidActions(language, path, state);
  return html`<section class="card" aria-labelledby="deal-title">
    <p class="shop">${t('pageTitle')} · ${t('seller')}</p>
    <h1 id="deal-title">${shop.name}</h1>
    <p class="amount">${formatMoneyForPeople(deal.amount_minor, deal.currency, language)}</p>
    ${renderNotice(language, opened, state.notice)} ${renderFacts(language, opened)} ${actions}
  </section>`;
}

export function renderDealMessage(language: Language, title: string, text: string): SafeHtml {
  return html`<section class="card" aria-labelledby="deal-title">
    <h1 id="deal-title">${title}</h1>
    <p class="alert" role="alert">${text}</p>
  </section>`;
}
