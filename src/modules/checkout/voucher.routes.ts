/**
 * The printable voucher of a cash payment (`GET /Merchant/Index/:paymentId/voucher`): what the buyer
 * takes to a terminal or an ATM. It shows the shop, the order, the amount, the payment code in large
 * type, until when the code is valid (Moscow time), what was paid in so far, how to pay, and what
 * happens to cash beyond the amount (KOPEK_CASH_OVERPAYMENT). Drawn from the payment's open cash
 * attempt; without one (never started, paid, expired) it says so and links back to the payment page.
 * The stylesheet hides the frame when printing; the page has no form and no script of its own.
 */
import type { FastifyInstance } from 'fastify';
import type { CashOverpaymentRule } from '../../config.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import { formatText, type Language } from '../../platform/i18n.js';
import { formatMoneyForPeople } from '../../platform/money.js';
import { findProviderByName } from '../methods/index.js';
import {
  findLatestMethodAttempt,
  instructionsOf,
  type CheckoutPayment,
  type MethodAttemptRow,
} from '../payments/index.js';
import { sendPage } from './checkout.routes.js';
import { renderPage } from './checkout.pages.js';
import { paymentPath, type MethodPageTools } from './method.routes.js';

const TEXTS = {
  ru: {
    title: 'Квитанция для оплаты наличными',
    shop: 'Получатель',
    description: 'Назначение',
    invoice: 'Номер заказа',
    amount: 'Сумма к оплате',
    received: 'Уже внесено',
    left: 'Осталось внести',
    code: 'Код оплаты',
    validUntil: 'Код действует до {time} (МСК). После этого срока терминал его не примет.',
    howTitle: 'Как оплатить',
    step1: 'Найдите платёжный терминал или банкомат, который принимает наличные по коду оплаты.',
    step2: 'Выберите «Оплата по коду» и введите код с этой квитанции.',
    step3: 'Проверьте назначение и сумму на экране.',
    step4:
      'Внесите наличные. Можно платить частями, пока действует код: страница оплаты покажет, сколько внесено.',
    step5: 'Сохраните чек терминала до получения заказа.',
    changePhone:
      'Если внесёте больше, чем нужно, терминал попросит номер телефона и зачислит сдачу на его баланс.',
    changeKeep:
      'Терминал не выдаёт сдачу: вносите точную сумму. Внесённое сверх суммы учитывается как переплата по платежу; чтобы вернуть её, обратитесь в магазин, назвав номер платежа.',
    paymentNumber: 'Номер платежа',
    print: 'Распечатайте эту страницу (Ctrl+P) или сохраните её на телефоне.',
    back: 'Вернуться на страницу оплаты',
    noCode: 'Для этого платежа нет действующего кода оплаты наличными. Получите код на странице оплаты.',
  },
  en: {
    title: 'Cash payment voucher',
    shop: 'Payee',
    description: 'Purpose',
    invoice: 'Order number',
    amount: 'Amount to pay',
    received: 'Already paid in',
    left: 'Still to pay',
    code: 'Payment code',
    validUntil: 'The code is valid until {time} (Moscow time). After that, terminals will not take it.',
    howTitle: 'How to pay',
    step1: 'Find a payment terminal or an ATM that takes cash by payment code.',
    step2: 'Choose “Pay by code” and enter the code from this voucher.',
    step3: 'Check the purpose and the amount on the screen.',
    step4:
      'Insert the cash. You may pay in parts while the code is valid: the payment page shows how much has arrived.',
    step5: 'Keep the terminal’s receipt until you have your order.',
    changePhone:
      'If you insert more than due, the terminal asks for a phone number and credits the change to its balance.',
    changeKeep:
      'The terminal gives no change: insert the exact amount. Cash beyond the amount is recorded as an overpayment of the payment; to get it back, contact the shop with the payment number.',
    paymentNumber: 'Payment number',
    print: 'Print this page (Ctrl+P) or keep it on your phone.',
    back: 'Back to the payment page',
    noCode: 'This payment has no valid cash payment code. Get one on the payment page.',
  },
} as const;

type VoucherTextKey = keyof (typeof TEXTS)['ru'];

function textsOf(language: Language) {
  return (key: VoucherTextKey, values?: Record<string, string>) => formatText(TEXTS[language][key], values);
}

function moscowTime(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ru-RU', {
    timeZone: 'Europe/Moscow',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

/** The payment code of the payment's open cash attempt, if it has one still in time. */
function openCodeOf(attempt: MethodAttemptRow | undefined, now: Date): string | undefined {
  if (!attempt || attempt.kind !== 'cash_terminal' || attempt.status !== 'pending') return undefined;
  if (attempt.expires_at.getTime() <= now.getTime()) return undefined;
  const instructions = instructionsOf(attempt);
  return instructions?.type === 'payment_code' ? instructions.code : undefined;
}

export function registerVoucherRoutes(app: FastifyInstance, tools: MethodPageTools): void {
  const { deps } = tools;
  app.get('/Merchant/Index/:paymentId/voucher', async (request, reply) => {
    const found = await tools.loadOr404((request.params as { paymentId: string }).paymentId, request, reply);
    if (!found) return reply;
    const language = tools.languageOf(request, found);
    const t = textsOf(language);
    const attempt = await findLatestMethodAttempt(deps.db, found.payment.id);
    const code = openCodeOf(attempt, deps.clock.now());
    const provider = attempt && findProviderByName(deps.providers.methodProviders, attempt.provider);
    const frame = { language, isSandbox: provider?.isSandbox ?? true, isTest: found.payment.is_test };
    if (!attempt || !code) {
      const body = html`<section class="card">
        <h1>${t('title')}</h1>
        <p class="alert" role="alert">${t('noCode')}</p>
        <p><a href="${paymentPath(found.payment.id)}">${t('back')}</a></p>
      </section>`;
      return sendPage(reply, 404, renderPage(frame, t('title'), body));
    }
    const body = renderVoucher(language, found, attempt, code, deps.config.cashOverpayment);
    return sendPage(reply, 200, renderPage(frame, t('title'), body));
  });
}

function renderVoucher(
  language: Language,
  found: CheckoutPayment,
  attempt: MethodAttemptRow,
  code: string,
  rule: CashOverpaymentRule,
): SafeHtml {
  const t = textsOf(language);
  const money = (minor: bigint) => formatMoneyForPeople(minor, found.payment.currency, language);
  const received = attempt.received_minor;
  return html`<section class="card voucher" aria-labelledby="voucher-title">
      <h1 id="voucher-title">${t('title')}</h1>
      <dl>
        <dt>${t('shop')}</dt>
        <dd>${found.shop.name}</dd>
        <dt>${t('description')}</dt>
        <dd>${found.payment.description}</dd>
        <dt>${t('invoice')}</dt>
        <dd>${String(found.payment.inv_id)}</dd>
        <dt>${t('amount')}</dt>
        <dd data-amount>${money(attempt.amount_minor)}</dd>
        ${
          received > 0n
            ? html`<dt>${t('received')}</dt>
                <dd>${money(received)}</dd>
                <dt>${t('left')}</dt>
                <dd>${money(attempt.amount_minor - received)}</dd>`
            : ''
        }
      </dl>
      <p>${t('code')}</p>
      <p class="payment-code" data-voucher-code>${code.replace(/(\d{4})(?=\d)/g, '$1 ')}</p>
      <p><strong>${t('validUntil', { time: moscowTime(attempt.expires_at, language) })}</strong></p>
    </section>
    <section class="card" aria-labelledby="voucher-how">
      <h2 id="voucher-how">${t('howTitle')}</h2>
      <ol>
        <li>${t('step1')}</li>
        <li>${t('step2')}</li>
        <li>${t('step3')}</li>
        <li>${t('step4')}</li>
        <li>${t('step5')}</li>
      </ol>
      <p>${rule === 'phone' ? t('changePhone') : t('changeKeep')}</p>
      <p class="hint">${t('paymentNumber')}: ${found.payment.id}</p>
      <p class="hint">${t('print')}</p>
      <p><a class="link" href="${paymentPath(found.payment.id)}">${t('back')}</a></p>
    </section>`;
}
