/**
 * The sandbox mobile app: what the payment link opens on the buyer's phone (the button on a phone, the
 * QR code on a desktop). It is named after the app the buyer chose (SberPay, Mir Pay, T-Pay), shows the
 * shop's purpose and the amount, and lists that app's test cards and accounts, one of which always
 * declines for lack of money; the buyer confirms or declines. The decision is recorded and told to Kopek
 * by the app's signed callback (sandbox-app.ts, decideAppPayment); the page then asks the buyer to return
 * to the shop's page, which follows the payment by itself. A link past its time, unknown or already
 * answered says so and takes nothing.
 *
 * GET  /sandbox/app/:reference   the app's payment screen (or why it cannot be paid)
 * POST /sandbox/app/:reference   Confirm or Decline (instrument, decision)
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../deps.js';
import { html } from '../../../platform/http/html.js';
import { formatText, localize, type Language } from '../../../platform/i18n.js';
import { formatMoneyForPeople } from '../../../platform/money.js';
import {
  appOfOperation,
  appOperationState,
  decideAppPayment,
  findAppOperation,
  type AppOperationState,
  type AppReasonCode,
  type MobileAppProfile,
} from './sandbox-app.js';
import { returnUrlOf, type SandboxOperation } from './sandbox-operations.js';
import { formField, sandboxLanguage, sendSandboxPage } from './sandbox-page.js';

const TEXTS = {
  ru: {
    title: 'Оплата в приложении',
    payTitle: 'Оплата покупки',
    purpose: 'Назначение',
    amount: 'Сумма',
    payFrom: 'Чем оплатить',
    testHint: 'Тестовые карты и счета приложения. Карта «без денег» всегда отклоняется.',
    confirm: 'Подтвердить',
    decline: 'Отклонить',
    noInstrument: 'Выберите карту или счёт.',
    confirmed: 'Оплата подтверждена в {app}. Вернитесь на страницу магазина: она обновится сама.',
    declinedINSUFFICIENT_FUNDS: 'Оплата отклонена: на карте недостаточно средств. Деньги не списаны.',
    declinedUSER_CANCELLED: 'Вы отклонили оплату. Деньги не списаны.',
    declined: 'Оплата отклонена. Деньги не списаны.',
    alreadyConfirmed: 'Эта покупка уже оплачена.',
    alreadyDeclined: 'Эта оплата уже отклонена: деньги не списаны.',
    expired:
      'Срок действия ссылки на оплату истёк: деньги не списаны. Вернитесь на страницу магазина и начните оплату заново.',
    unknown: 'Такой ссылки на оплату нет.',
    back: 'Вернуться на страницу магазина',
  },
  en: {
    title: 'Pay in the app',
    payTitle: 'Pay for the purchase',
    purpose: 'Purpose',
    amount: 'Amount',
    payFrom: 'Pay from',
    testHint: 'The app’s test cards and accounts. The “empty” card always declines.',
    confirm: 'Confirm',
    decline: 'Decline',
    noInstrument: 'Choose a card or an account.',
    confirmed: 'Payment confirmed in {app}. Return to the shop’s page: it updates by itself.',
    declinedINSUFFICIENT_FUNDS: 'Payment declined: not enough money on the card. Nothing was taken.',
    declinedUSER_CANCELLED: 'You declined the payment. Nothing was taken.',
    declined: 'Payment declined. Nothing was taken.',
    alreadyConfirmed: 'This purchase is already paid.',
    alreadyDeclined: 'This payment was already declined: nothing was taken.',
    expired: 'The payment link has expired: nothing was taken. Return to the shop’s page and start again.',
    unknown: 'There is no such payment link.',
    back: 'Return to the shop’s page',
  },
} as const;

type AppTextKey = keyof (typeof TEXTS)['ru'];

function textsOf(language: Language) {
  return (key: AppTextKey, values?: Record<string, string>) => formatText(TEXTS[language][key], values);
}

/** HTTP status of a page about an order that takes no decision. */
const CLOSED_STATUS: Record<Exclude<AppOperationState, 'open'>, number> = {
  unknown: 404,
  expired: 410,
  confirmed: 409,
  declined: 409,
};

export function registerSandboxApp(app: FastifyInstance, deps: Deps): void {
  app.get('/sandbox/app/:reference', async (request, reply) => {
    const language = sandboxLanguage(request);
    const operation = await findAppOperation(deps.db, referenceOf(request));
    const state = appOperationState(operation, deps.clock.now());
    if (!operation || state !== 'open') return showClosed(reply, language, state, operation, 200);
    return showPayment(reply, language, operation);
  });
  app.post('/sandbox/app/:reference', async (request, reply) => decide(deps, request, reply));
}

function referenceOf(request: FastifyRequest): string {
  return (request.params as { reference: string }).reference;
}

async function decide(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const language = sandboxLanguage(request);
  const result = await decideAppPayment(
    { db: deps.db, clock: deps.clock, masterKey: deps.config.masterKey },
    {
      reference: referenceOf(request),
      instrumentId: formField(request.body, 'instrument'),
      decision: formField(request.body, 'decision') === 'confirm' ? 'confirm' : 'decline',
    },
  );
  if (result.kind === 'closed') return showClosed(reply, language, result.state, result.operation);
  if (result.kind === 'no_instrument') return showPayment(reply, language, result.operation, true);
  return showDecided(reply, language, result.operation, result.reasonCode);
}

/** The app's name bar: the app's identity, as its own screen shows it. */
function appBar(app: MobileAppProfile | undefined, language: Language) {
  return app
    ? html`<p class="shop" data-app="${app.id}">
        <strong>${app.name}</strong> · ${localize(app.issuer, language)}
      </p>`
    : '';
}

function backLink(language: Language, operation: SandboxOperation | undefined) {
  const back = operation ? returnUrlOf(operation) : '';
  return back ? html`<p><a class="button" href="${back}">${textsOf(language)('back')}</a></p>` : '';
}

function pageTitle(app: MobileAppProfile | undefined, language: Language): string {
  return app ? app.name : textsOf(language)('title');
}

function showClosed(
  reply: FastifyReply,
  language: Language,
  state: AppOperationState,
  operation: SandboxOperation | undefined,
  doneStatus?: number,
) {
  const t = textsOf(language);
  const closed = state === 'open' ? 'unknown' : state;
  const app = operation && closed !== 'unknown' ? appOfOperation(operation) : undefined;
  const isDone = closed === 'confirmed' || closed === 'declined';
  const status = isDone && doneStatus !== undefined ? doneStatus : CLOSED_STATUS[closed];
  const message =
    closed === 'confirmed' ? t('alreadyConfirmed') : closed === 'declined' ? t('alreadyDeclined') : t(closed);
  const body = html`<section class="card">
    ${appBar(app, language)}
    <h1>${t('payTitle')}</h1>
    <p class="alert${closed === 'confirmed' ? ' ok' : ''}" role="alert">${message}</p>
    ${closed === 'unknown' ? '' : backLink(language, operation)}
  </section>`;
  return sendSandboxPage(reply, status, language, pageTitle(app, language), body);
}

function showDecided(
  reply: FastifyReply,
  language: Language,
  operation: SandboxOperation,
  reasonCode: AppReasonCode | undefined,
) {
  const t = textsOf(language);
  const app = appOfOperation(operation);
  const message = !reasonCode
    ? t('confirmed', { app: app?.name ?? '' })
    : reasonCode === 'INSUFFICIENT_FUNDS' || reasonCode === 'USER_CANCELLED'
      ? t(`declined${reasonCode}`)
      : t('declined');
  const body = html`<section class="card">
    ${appBar(app, language)}
    <h1>${t('payTitle')}</h1>
    <p class="alert${reasonCode ? '' : ' ok'}" role="status">${message}</p>
    ${backLink(language, operation)}
  </section>`;
  return sendSandboxPage(reply, 200, language, pageTitle(app, language), body);
}

function showPayment(
  reply: FastifyReply,
  language: Language,
  operation: SandboxOperation,
  isInstrumentMissing = false,
) {
  const t = textsOf(language);
  const app = appOfOperation(operation) as MobileAppProfile;
  const purpose = typeof operation.details.description === 'string' ? operation.details.description : '';
  const amount = formatMoneyForPeople(operation.amount_minor, 'RUB', language);
  const body = html`<section class="card" aria-labelledby="app-title">
    ${appBar(app, language)}
    <h1 id="app-title">${t('payTitle')}</h1>
    <p class="amount" data-amount>${amount}</p>
    <dl>
      <dt>${t('purpose')}</dt>
      <dd data-purpose>${purpose}</dd>
    </dl>
    ${isInstrumentMissing ? html`<p class="alert" role="alert">${t('noInstrument')}</p>` : ''}
    <form method="post" data-once>
      <fieldset>
        <legend>${t('payFrom')}</legend>
        ${app.instruments.map(
          (instrument, index) =>
            html`<label class="choice"
              ><input
                type="radio"
                name="instrument"
                value="${instrument.id}"
                ${index === 0 ? html`checked` : ''}
              />
              <span
                >${localize(instrument.name, language)}<br /><small
                  ><code data-masked-account>${instrument.maskedAccount}</code></small
                ></span
              ></label
            >`,
        )}
        <p class="hint">${t('testHint')}</p>
      </fieldset>
      <button type="submit" name="decision" value="confirm">${t('confirm')} · ${amount}</button>
      <button type="submit" name="decision" value="decline" class="secondary">${t('decline')}</button>
    </form>
  </section>`;
  const status = isInstrumentMissing ? 422 : 200;
  return sendSandboxPage(reply, status, language, app.name, body);
}
