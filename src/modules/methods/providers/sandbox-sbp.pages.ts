/**
 * The sandbox SBP "bank app": what the payment link opens on the buyer's phone (or by scanning the QR
 * on a desktop). The buyer picks one of the test banks and confirms or declines; the bank records the
 * outcome and sends its signed callback (ACWP paid, RJCT declined). "Тест-Банк (отказ)" always declines
 * for lack of money. A link past its time answers that the QR code has expired and takes nothing.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../../deps.js';
import { html } from '../../../platform/http/html.js';
import { createSecretToken } from '../../../platform/crypto.js';
import type { Language } from '../../../platform/i18n.js';
import { formatMoneyForPeople } from '../../../platform/money.js';
import { SANDBOX_SBP_PROVIDER } from './sandbox-sbp.js';
import {
  findSandboxOperation,
  hasSandboxOperationExpired,
  lockSandboxOperation,
  sandboxSecret,
  sendSandboxCallback,
  updateSandboxOperation,
  type SandboxOperation,
} from './sandbox-operations.js';
import { formField, sandboxLanguage, sendSandboxPage } from './sandbox-page.js';

export const SBP_TEST_BANKS = [
  { id: 'sber', name: 'Сбербанк', declines: false },
  { id: 'tbank', name: 'Т-Банк', declines: false },
  { id: 'vtb', name: 'ВТБ', declines: false },
  { id: 'alfa', name: 'Альфа-Банк', declines: false },
  { id: 'poor', name: 'Тест-Банк (отказ)', declines: true },
] as const;

const TEXTS = {
  ru: {
    title: 'Оплата по СБП',
    chooseBank: 'Банк, из приложения которого вы платите',
    amount: 'Сумма',
    purpose: 'Назначение',
    confirm: 'Подтвердить оплату',
    decline: 'Отклонить',
    notFound: 'Такой платёжной ссылки нет.',
    expired: 'Срок действия QR-кода истёк. Вернитесь на страницу оплаты и получите новый.',
    paid: 'Оплата подтверждена. Страница оплаты магазина обновится сама.',
    declined: 'Оплата отклонена банком.',
    back: 'Вернуться на страницу оплаты',
  },
  en: {
    title: 'SBP payment',
    chooseBank: 'The bank whose app you pay from',
    amount: 'Amount',
    purpose: 'Purpose',
    confirm: 'Confirm payment',
    decline: 'Decline',
    notFound: 'There is no such payment link.',
    expired: 'The QR code has expired. Go back to the payment page for a new one.',
    paid: 'Payment confirmed. The shop’s payment page will update by itself.',
    declined: 'The bank declined the payment.',
    back: 'Back to the payment page',
  },
} as const;

export function registerSbpBankApp(app: FastifyInstance, deps: Deps): void {
  const secret = sandboxSecret(deps.config.masterKey, SANDBOX_SBP_PROVIDER);
  app.get('/sandbox/sbp/:reference', async (request, reply) => {
    const language = sandboxLanguage(request);
    const { reference } = request.params as { reference: string };
    const operation = await findSandboxOperation(deps.db, SANDBOX_SBP_PROVIDER, reference);
    return showOperation(reply, deps, language, operation);
  });
  app.post('/sandbox/sbp/:reference', async (request, reply) => {
    const language = sandboxLanguage(request);
    const { reference } = request.params as { reference: string };
    const bank = SBP_TEST_BANKS.find((candidate) => candidate.id === formField(request.body, 'bank'));
    const isConfirmed = formField(request.body, 'decision') === 'confirm';
    const operation = await deps.db.transaction().execute(async (trx) => {
      const locked = await lockSandboxOperation(trx, SANDBOX_SBP_PROVIDER, reference);
      if (!locked || locked.status !== 'NTST' || hasSandboxOperationExpired(locked, deps.clock.now()))
        return locked;
      const status = isConfirmed && bank && !bank.declines ? 'ACWP' : 'RJCT';
      await updateSandboxOperation(trx, deps.clock, locked, {
        status,
        details: { payerBank: bank?.id ?? null },
      });
      await sendSandboxCallback(trx, deps.clock, {
        provider: SANDBOX_SBP_PROVIDER,
        secret,
        body: {
          eventId: createSecretToken(12),
          qrcId: locked.reference,
          status,
          amount: Number(locked.amount_minor),
          payerBank: bank?.name ?? '',
          payerAccount: '+7 *** ***-12-34',
        },
      });
      return { ...locked, status };
    });
    return showOperation(reply, deps, language, operation);
  });
}

function showOperation(
  reply: FastifyReply,
  deps: Deps,
  language: Language,
  operation: SandboxOperation | undefined,
) {
  const t = TEXTS[language];
  if (!operation)
    return sendSandboxPage(reply, 404, language, t.title, html`<p class="alert">${t.notFound}</p>`);
  const back = typeof operation.details.redirectUrl === 'string' ? operation.details.redirectUrl : undefined;
  const backLink = back ? html`<p><a href="${back}">${t.back}</a></p>` : '';
  if (operation.status === 'ACWP')
    return sendSandboxPage(
      reply,
      200,
      language,
      t.title,
      html`<p class="alert ok" role="status">${t.paid}</p>
        ${backLink}`,
    );
  if (operation.status === 'RJCT')
    return sendSandboxPage(
      reply,
      200,
      language,
      t.title,
      html`<p class="alert" role="alert">${t.declined}</p>
        ${backLink}`,
    );
  if (hasSandboxOperationExpired(operation, deps.clock.now()))
    return sendSandboxPage(
      reply,
      410,
      language,
      t.title,
      html`<p class="alert" role="alert">${t.expired}</p>
        ${backLink}`,
    );
  const purpose =
    typeof operation.details.paymentPurpose === 'string' ? operation.details.paymentPurpose : '';
  const body = html`<section class="card">
    <h1>${t.title}</h1>
    <dl>
      <dt>${t.amount}</dt>
      <dd>${formatMoneyForPeople(operation.amount_minor, 'RUB', language)}</dd>
      <dt>${t.purpose}</dt>
      <dd>${purpose}</dd>
    </dl>
    <form method="post" data-once>
      <fieldset>
        <legend>${t.chooseBank}</legend>
        ${SBP_TEST_BANKS.map(
          (bank, index) =>
            html`<label class="choice"
              ><input type="radio" name="bank" value="${bank.id}" ${index === 0 ? html`checked` : ''} />
              ${bank.name}</label
            >`,
        )}
      </fieldset>
      <button type="submit" name="decision" value="confirm">${t.confirm}</button>
      <button type="submit" name="decision" value="decline" class="secondary">${t.decline}</button>
    </form>
  </section>`;
  return sendSandboxPage(reply, 200, language, t.title, body);
}
