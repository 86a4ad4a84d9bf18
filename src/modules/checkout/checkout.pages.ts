/**
 * The buyer's pages, rendered on the server: no front-end framework, one small CSS and one small JS file.
 * Every merchant-supplied value passes through the escaping `html` tag.
 */
import { formatText, type Language } from '../../platform/i18n.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import { CHECKOUT_TEXTS, type CheckoutTextKey } from './checkout.texts.js';

export interface PageFrame {
  readonly language: Language;
  readonly isSandbox: boolean;
  readonly isTest?: boolean;
  /** Seconds until the page reloads itself (waiting for the bank). */
  readonly refreshSeconds?: number;
}

export function textsFor(language: Language) {
  const texts = CHECKOUT_TEXTS[language];
  return (key: CheckoutTextKey, values?: Record<string, string | number>) => formatText(texts[key], values);
}

export function renderPage(frame: PageFrame, title: string, body: SafeHtml): string {
  const t = textsFor(frame.language);
  return html`<!doctype html>
    <html lang="${frame.language}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${frame.refreshSeconds ? html`<meta http-equiv="refresh" content="${frame.refreshSeconds}" />` : ''}
        <title>${title} · Kopek</title>
        <link rel="stylesheet" href="/checkout/assets/checkout.css" />
      </head>
      <body>
        <main>
          ${frame.isSandbox ? html`<p class="banner" role="note">${t('sandbox')}</p>` : ''}
          ${frame.isTest ? html`<p><span class="badge">${t('testPayment')}</span></p>` : ''} ${body}
        </main>
        <script src="/checkout/assets/checkout.js" defer></script>
      </body>
    </html>`.value;
}

export interface PaymentSummary {
  readonly shopName: string;
  /** What the buyer pays in all. */
  readonly amountText: string;
  /** When the buyer pays the fee: the shop's amount and the fee that make up amountText. */
  readonly feeBreakdown?: { readonly amountText: string; readonly feeText: string };
  readonly description: string;
  readonly invId: string;
}

export function renderSummary(language: Language, summary: PaymentSummary): SafeHtml {
  const t = textsFor(language);
  return html`<section class="card" aria-labelledby="summary-title">
    <p class="shop">${t('payTo')}</p>
    <h1 id="summary-title">${summary.shopName}</h1>
    <p class="amount">${summary.amountText}</p>
    <dl>
      ${
        summary.feeBreakdown
          ? html`<dt>${t('amount')}</dt>
              <dd>${summary.feeBreakdown.amountText}</dd>
              <dt>${t('buyerFee')}</dt>
              <dd>${summary.feeBreakdown.feeText}</dd>
              <dt>${t('total')}</dt>
              <dd>${summary.amountText}</dd>`
          : ''
      }
      <dt>${t('description')}</dt>
      <dd>${summary.description}</dd>
      <dt>${t('invoice')}</dt>
      <dd>${summary.invId}</dd>
    </dl>
  </section>`;
}

export interface CardFormState {
  readonly action: string;
  readonly cancelUrl: string;
  readonly submissionKey: string;
  readonly values: { cardNumber?: string; expiry?: string; email?: string };
  readonly fieldErrors: Partial<Record<'cardNumber' | 'expiry' | 'cvc' | 'email', string>>;
  readonly alert?: string;
}

function field(
  name: 'cardNumber' | 'expiry' | 'cvc' | 'email',
  label: string,
  hint: string,
  state: CardFormState,
  attributes: SafeHtml,
): SafeHtml {
  const error = state.fieldErrors[name];
  const value = name === 'cvc' ? '' : (state.values[name as 'cardNumber' | 'expiry' | 'email'] ?? '');
  return html`<div>
    <label for="${name}">${label}</label>
    <input
      id="${name}"
      name="${name}"
      value="${value}"
      ${attributes}
      aria-describedby="${name}-hint${error ? ` ${name}-error` : ''}"
      ${error ? html` aria-invalid="true"` : ''}
    />
    <p class="hint" id="${name}-hint">${hint}</p>
    ${error ? html`<p class="error" id="${name}-error">${error}</p>` : ''}
  </div>`;
}

export function renderCardForm(language: Language, state: CardFormState, amountText: string): SafeHtml {
  const t = textsFor(language);
  return html`<section class="card" aria-labelledby="method-title">
    <h2 id="method-title">${t('methods')}: ${t('bankCard')}</h2>
    ${state.alert ? html`<p class="alert" role="alert">${state.alert}</p>` : ''}
    <form method="post" action="${state.action}" novalidate data-once>
      <input type="hidden" name="submissionKey" value="${state.submissionKey}" />
      ${field('cardNumber', t('cardNumber'), t('cardNumberHint'), state, html`inputmode="numeric" autocomplete="cc-number" maxlength="23" required`)}
      <div class="row">
        ${field('expiry', t('expiry'), t('expiryHint'), state, html`inputmode="numeric" autocomplete="cc-exp" placeholder="MM/YY" maxlength="7" required`)}
        ${field('cvc', t('cvc'), t('cvcHint'), state, html`type="password" inputmode="numeric" autocomplete="cc-csc" maxlength="4" required`)}
      </div>
      ${field('email', t('email'), t('emailHint'), state, html`type="email" autocomplete="email" maxlength="254"`)}
      <button type="submit">${t('pay', { amount: amountText })}</button>
    </form>
    <a class="link" href="${state.cancelUrl}">${t('backToShop')}</a>
  </section>`;
}

export interface CvcFormState {
  readonly action: string;
  readonly cancelUrl: string;
  readonly submissionKey: string;
  /** The saved card's mask (first 6 and last 4 digits). */
  readonly cardMask: string;
  readonly cvcError?: string;
  readonly alert?: string;
}

/** A saved-card (CoF) payment: the buyer types only the CVC; the number and expiry stay in the vault. */
export function renderCvcForm(language: Language, state: CvcFormState, amountText: string): SafeHtml {
  const t = textsFor(language);
  const error = state.cvcError;
  return html`<section class="card" aria-labelledby="method-title">
    <h2 id="method-title">${t('savedCardTitle')}</h2>
    <p>${t('savedCardText', { mask: state.cardMask })}</p>
    ${state.alert ? html`<p class="alert" role="alert">${state.alert}</p>` : ''}
    <form method="post" action="${state.action}" novalidate data-once>
      <input type="hidden" name="submissionKey" value="${state.submissionKey}" />
      <div>
        <label for="cvc">${t('cvc')}</label>
        <input
          id="cvc"
          name="cvc"
          type="password"
          inputmode="numeric"
          autocomplete="cc-csc"
          maxlength="4"
          required
          autofocus
          aria-describedby="cvc-hint${error ? ' cvc-error' : ''}"
          ${error ? html` aria-invalid="true"` : ''}
        />
        <p class="hint" id="cvc-hint">${t('cvcHint')}</p>
        ${error ? html`<p class="error" id="cvc-error">${error}</p>` : ''}
      </div>
      <button type="submit">${t('pay', { amount: amountText })}</button>
    </form>
    <a class="link" href="${state.cancelUrl}">${t('backToShop')}</a>
  </section>`;
}

export function renderChallenge(
  language: Language,
  options: { action: string; attemptId: string; triesLeft?: number; isSandbox: boolean },
): SafeHtml {
  const t = textsFor(language);
  return html`<section class="card" aria-labelledby="challenge-title">
    <h2 id="challenge-title">${t('challengeTitle')}</h2>
    <p>${t('challengeText')}</p>
    ${options.isSandbox ? html`<p class="hint">${t('challengeSandbox')}</p>` : ''}
    ${options.triesLeft !== undefined ? html`<p class="alert" role="alert">${t('challengeTriesLeft', { tries: options.triesLeft })}</p>` : ''}
    <form method="post" action="${options.action}" data-once>
      <input type="hidden" name="attemptId" value="${options.attemptId}" />
      <label for="code">${t('challengeCode')}</label>
      <input
        id="code"
        name="code"
        inputmode="numeric"
        autocomplete="one-time-code"
        maxlength="8"
        required
        autofocus
      />
      <button type="submit">${t('confirm')}</button>
    </form>
  </section>`;
}

export function renderPending(language: Language): SafeHtml {
  const t = textsFor(language);
  return html`<section class="card" aria-live="polite">
    <h2>${t('pendingTitle')}</h2>
    <p>${t('pendingText')}</p>
  </section>`;
}

/** A form that carries the buyer back to the shop with its fields; submits itself, with a button as fallback. */
export function renderRedirectForm(
  language: Language,
  target: { url: string; method: 'GET' | 'POST'; fields: readonly (readonly [string, string])[] },
  heading: { title: string; text: string; isSuccess: boolean },
): SafeHtml {
  const t = textsFor(language);
  return html`<section class="card">
    <h2>${heading.title}</h2>
    <p class="alert${heading.isSuccess ? ' ok' : ''}">${heading.text}</p>
    <p>${t('redirecting')}</p>
    <form method="${target.method.toLowerCase()}" action="${target.url}" data-autosubmit>
      ${target.fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
      <button type="submit">${t('continue')}</button>
    </form>
  </section>`;
}

export interface ErrorPageContent {
  readonly code: number;
  readonly title: string;
  readonly detail: string;
  readonly field?: string;
  readonly debug?: {
    readonly algorithm: string;
    readonly received: string;
    readonly candidates: readonly { label: string; baseString: string }[];
  };
}

export function renderError(language: Language, content: ErrorPageContent): SafeHtml {
  const t = textsFor(language);
  return html`<section class="card" aria-labelledby="error-title">
      <h1 id="error-title">${t('errorTitle')}</h1>
      <p class="alert" role="alert">
        <strong>${content.title}</strong
        >${content.detail !== content.title ? html`<br />${content.detail}` : ''}
      </p>
      <p class="hint">
        ${t('errorCode', { code: content.code })}${content.field ? html`<br />${t('errorField', { field: content.field })}` : ''}
      </p>
    </section>
    ${content.debug ? renderDebugger(language, content.debug) : ''}`;
}

function renderDebugger(language: Language, debug: NonNullable<ErrorPageContent['debug']>): SafeHtml {
  const t = textsFor(language);
  return html`<section class="card debug" aria-labelledby="debug-title">
    <h2 id="debug-title">${t('debugTitle')}</h2>
    <p>${t('debugIntro')}</p>
    <p>
      ${t('debugAlgorithm', { algorithm: debug.algorithm })}<br />${t('debugReceived', { value: debug.received })}
    </p>
    <table>
      <thead>
        <tr>
          <th>${t('debugVariant')}</th>
          <th>${t('debugBaseString')}</th>
        </tr>
      </thead>
      <tbody>
        ${debug.candidates.map(
          (candidate) =>
            html`<tr>
              <td>${candidate.label}</td>
              <td><code>${candidate.baseString}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
