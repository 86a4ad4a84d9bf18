/**
 * The payment page's part for methods other than a card: the chooser (every enabled method, grouped,
 * with the buyer's fee where the shop passes it on), a method's start form, and what a pending attempt
 * asks of the buyer, drawn from the provider's instructions: a QR code with a link (SBP, mobile apps), a
 * button to the provider's pages (wallets, banks), a payment code (cash), an SMS-code form (phone
 * balance). A pending view carries data-poll: checkout.js asks /status and reloads when it changes, so
 * the page follows the payment live, and a reload shows the same state (it is all on the server).
 */
import QRCode from 'qrcode';
import { html, SafeHtml } from '../../platform/http/html.js';
import { localize, type Language } from '../../platform/i18n.js';
import type { PaymentMethodKind, PaymentMethodMatch } from '../methods/index.js';
import type { MethodAttemptRow } from '../payments/index.js';
import { METHOD_REASON_TEXTS, methodTextsFor } from './method.texts.js';

export interface ChooserEntry {
  readonly method: PaymentMethodMatch;
  readonly href: string;
  readonly isSelected: boolean;
  /** The buyer's fee with this method, when the shop passes it on. */
  readonly feeText?: string;
}

export function renderMethodChooser(language: Language, entries: readonly ChooserEntry[]): SafeHtml {
  if (entries.length < 2) return html``;
  const t = methodTextsFor(language);
  return html`<nav class="card methods" aria-labelledby="methods-title">
    <h2 id="methods-title">${t('chooseMethod')}</h2>
    <ul>
      ${entries.map(
        (entry) =>
          html`<li>
            <a
              href="${entry.href}"
              class="method${entry.isSelected ? ' selected' : ''}"
              title="${localize(entry.method.group.description, language)}"
              data-method="${entry.method.item.alias}"
              ${entry.isSelected ? html`aria-current="true"` : ''}
              ><span>${localize(entry.method.item.name, language)}</span> ${chooserNote(language, entry)}</a
            >
          </li>`,
      )}
    </ul>
  </nav>`;
}

/** The buyer's fee under the method's name, if the shop passes it on (tiles stay one line otherwise). */
function chooserNote(language: Language, entry: ChooserEntry): SafeHtml | string {
  return entry.feeText
    ? html`<small>${methodTextsFor(language)('feeForMethod', { fee: entry.feeText })}</small>`
    : '';
}

export interface StartFormState {
  readonly action: string;
  readonly method: PaymentMethodMatch;
  readonly amountText: string;
  readonly values?: Readonly<Record<string, string>>;
  readonly fieldErrors?: Readonly<Record<string, string>>;
  /** Why the last attempt ended, or why the provider refused the start. */
  readonly alert?: string;
}

const START_BUTTON: Record<
  Exclude<PaymentMethodKind, 'bank_card'>,
  'getQr' | 'getCode' | 'goToProvider' | 'sendCode'
> = {
  sbp: 'getQr',
  mobile_app: 'getQr',
  e_wallet: 'goToProvider',
  internet_bank: 'goToProvider',
  cash_terminal: 'getCode',
  phone_balance: 'sendCode',
};

export function renderMethodStart(language: Language, state: StartFormState): SafeHtml {
  const t = methodTextsFor(language);
  const name = localize(state.method.item.name, language);
  const kind = state.method.item.kind as Exclude<PaymentMethodKind, 'bank_card'>;
  const phoneError = state.fieldErrors?.phone;
  return html`<section class="card" aria-labelledby="method-title">
    <h2 id="method-title">${t('payWith', { method: name })}</h2>
    ${state.alert ? html`<p class="alert" role="alert">${state.alert}</p>` : ''}
    <form method="post" action="${state.action}" novalidate data-once>
      <input type="hidden" name="method" value="${state.method.item.alias}" />
      ${
        kind === 'phone_balance'
          ? html`<div>
              <label for="phone">${t('phone')}</label>
              <input
                id="phone"
                name="phone"
                type="tel"
                inputmode="tel"
                autocomplete="tel"
                maxlength="20"
                placeholder="+7 900 000-00-00"
                value="${state.values?.phone ?? ''}"
                aria-describedby="phone-hint${phoneError ? ' phone-error' : ''}"
                ${phoneError ? html`aria-invalid="true"` : ''}
                required
              />
              <p class="hint" id="phone-hint">${t('phoneHint')}</p>
              ${phoneError ? html`<p class="error" id="phone-error">${phoneError}</p>` : ''}
            </div>`
          : ''
      }
      <button type="submit">${t(START_BUTTON[kind] ?? 'goToProvider')} · ${state.amountText}</button>
    </form>
  </section>`;
}

export interface PendingViewState {
  readonly attempt: MethodAttemptRow;
  readonly method: PaymentMethodMatch;
  readonly statusUrl: string;
  /** The state the page was drawn for: checkout.js reloads when /status says otherwise. */
  readonly pollState: string;
  readonly cancelAction: string;
  readonly confirmAction: string;
  readonly voucherUrl: string;
  readonly formatMoney: (amountMinor: bigint) => string;
  readonly smsError?: string;
}

function moscowTime(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ru-RU', {
    timeZone: 'Europe/Moscow',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

async function qrSvg(url: string): Promise<SafeHtml> {
  const svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  // The library's own markup of a URL we made: no buyer input reaches it.
  return html`<div class="qr" role="img" aria-label="QR">${new SafeHtml(svg)}</div>`;
}

export async function renderMethodPending(language: Language, state: PendingViewState): Promise<SafeHtml> {
  const t = methodTextsFor(language);
  const name = localize(state.method.item.name, language);
  const instructions = state.attempt.details.instructions as
    | { type: 'qr_link'; url: string }
    | { type: 'redirect'; url: string }
    | { type: 'payment_code'; code: string }
    | { type: 'sms_confirmation'; maskedPhone: string; operator: string }
    | undefined;
  const until = moscowTime(state.attempt.expires_at, language);
  let body: SafeHtml;
  switch (instructions?.type) {
    case 'qr_link':
      body = html`<h2 id="method-title">${t('qrTitle')}</h2>
        <p>${state.method.item.kind === 'mobile_app' ? t('appQrText') : t('qrText')}</p>
        <a class="button" href="${instructions.url}" data-deeplink
          >${state.method.item.kind === 'mobile_app' ? t('openApp') : t('openInApp')}</a
        >
        ${await qrSvg(instructions.url)}
        <p class="hint">${t('validUntil', { time: until })}</p>
        <p class="hint" role="status">${t('waitingBank', { method: name })}</p>`;
      break;
    case 'redirect':
      body = html`<h2 id="method-title">${t('redirectTitle', { method: name })}</h2>
        <p>${t('redirectText', { method: name })}</p>
        <a class="button" href="${instructions.url}">${t('goToProvider')}</a>
        <p class="hint" role="status">${t('waitingBank', { method: name })}</p>`;
      break;
    case 'payment_code':
      body = html`<h2 id="method-title">${t('codeTitle')}</h2>
        <p>${t('codeText', { time: until })}</p>
        <p class="payment-code" data-payment-code>${instructions.code}</p>
        ${
          state.attempt.received_minor > 0n
            ? html`<p class="alert ok" role="status">
                ${t('received', {
                  received: state.formatMoney(state.attempt.received_minor),
                  owed: state.formatMoney(state.attempt.amount_minor),
                  left: state.formatMoney(state.attempt.amount_minor - state.attempt.received_minor),
                })}
              </p>`
            : ''
        }
        <a class="link" href="${state.voucherUrl}" target="_blank">${t('printVoucher')}</a>`;
      break;
    case 'sms_confirmation':
      body = html`<h2 id="method-title">${t('smsTitle')}</h2>
        <p>${t('smsText', { operator: instructions.operator, phone: instructions.maskedPhone })}</p>
        ${state.smsError ? html`<p class="alert" role="alert">${state.smsError}</p>` : ''}
        <form method="post" action="${state.confirmAction}" novalidate data-once>
          <label for="smsCode">${t('smsCode')}</label>
          <input
            id="smsCode"
            name="code"
            inputmode="numeric"
            autocomplete="one-time-code"
            maxlength="8"
            required
            autofocus
          />
          <button type="submit">${t('confirmCode')}</button>
        </form>`;
      break;
    default:
      body = html`<h2 id="method-title">${name}</h2>
        <p role="status">${t('waitingBank', { method: name })}</p>`;
  }
  return html`<section
      class="card"
      aria-labelledby="method-title"
      data-poll="${state.statusUrl}"
      data-poll-state="${state.pollState}"
    >
      ${body}
      <a class="link" href="">${t('checkStatus')}</a>
    </section>
    <form method="post" action="${state.cancelAction}" class="card plain">
      <button type="submit" class="secondary">${t('otherMethod')}</button>
    </form>`;
}

/** The buyer's reading of why an attempt ended or a start was refused. */
export function attemptAlert(language: Language, attempt: MethodAttemptRow | undefined): string | undefined {
  if (!attempt) return undefined;
  const t = methodTextsFor(language);
  if (attempt.status === 'expired') return t('attemptExpired');
  if (attempt.status !== 'declined' || attempt.decline_reason === 'buyer_switched') return undefined;
  if (attempt.decline_reason === 'buyer_cancelled') return undefined;
  return t('attemptDeclined', { reason: reasonText(language, attempt.decline_reason ?? '') });
}

export function reasonText(language: Language, reason: string): string {
  const text = METHOD_REASON_TEXTS[reason];
  return text
    ? localize(text, language)
    : language === 'en'
      ? 'the provider declined it'
      : 'отказ провайдера';
}
