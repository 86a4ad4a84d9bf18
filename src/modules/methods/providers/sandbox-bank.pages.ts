/**
 * The sandbox internet bank's pages, in the manner of Alfa-Click: where checkout's "go to the bank"
 * button leads. The buyer signs in with one of the test logins the page lists, sees the payment order
 * (payee, purpose, amount, the account it is debited from) and signs or cancels it, without an SMS code.
 * A signed order is "processing" for the bank's delay (KOPEK_SANDBOX_BANK_DELAY_SECONDS) and then
 * executed; the bank's callbacks tell Kopek (sandbox-bank.ts). The page says plainly when an order is
 * unknown, past its time, or already signed or rejected, and takes nothing then.
 *
 * The sign-in lives only in this page: it is a one-order session carried by a hidden field, so a reload
 * asks to sign in again, as a bank's payment page does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../deps.js';
import { html, type SafeHtml } from '../../../platform/http/html.js';
import { formatText, type Language } from '../../../platform/i18n.js';
import { formatMoneyForPeople } from '../../../platform/money.js';
import {
  bankStatusAt,
  decideBankOrder,
  SANDBOX_BANK_CLIENTS,
  SANDBOX_BANK_PAYEE,
  SANDBOX_BANK_PROVIDER,
  signInToBank,
  type BankStep,
  type SandboxBankClient,
  type SandboxBankOptions,
} from './sandbox-bank.js';
import {
  findSandboxOperation,
  hasSandboxOperationExpired,
  type SandboxOperation,
} from './sandbox-operations.js';
import { formField, sandboxLanguage, sendSandboxPage } from './sandbox-page.js';

const TEXTS = {
  ru: {
    title: 'Альфа-Клик — оплата',
    signInTitle: 'Вход в интернет-банк',
    signInText: 'Оплата заказа на {amount}. Войдите, чтобы подписать платёжное поручение.',
    login: 'Логин',
    password: 'Пароль',
    signIn: 'Войти',
    testClients: 'Тестовые клиенты песочницы',
    testClientRich: 'обычный клиент, денег на счёте достаточно',
    testClientPoor: 'на счёте мало денег: банк отклонит платёж',
    badCredentials: 'Неверный логин или пароль.',
    sessionOver: 'Сеанс завершён. Войдите снова, чтобы подписать поручение.',
    orderTitle: 'Платёжное поручение № {number} от {date}',
    payer: 'Плательщик',
    debitAccount: 'Счёт списания',
    balance: 'Доступно',
    payee: 'Получатель',
    payeeDetails: 'ИНН {inn}, счёт {account}, БИК {bic}, {bank}',
    purpose: 'Назначение платежа',
    amount: 'Сумма',
    signHint: 'Подписывая поручение, вы поручаете банку перевести деньги получателю.',
    sign: 'Подписать',
    cancel: 'Отменить',
    processing:
      'Платёжное поручение подписано и передано на исполнение. Банк исполнит его {when}; страница оплаты магазина обновится сама.',
    executed: 'Платёж исполнен банком. Деньги переведены получателю.',
    insufficient_funds: 'Банк отклонил платёж: на счёте недостаточно средств.',
    buyer_cancelled: 'Вы отменили платёж. Деньги не списаны.',
    rejected: 'Банк отклонил платёж.',
    expired:
      'Время на оплату истекло: поручение больше нельзя подписать. Вернитесь в магазин и начните заново.',
    notFound: 'Такого платёжного поручения нет.',
    back: 'Вернуться в магазин',
    inSeconds: 'в течение {count} с',
    inMinutes: 'в течение {count} мин',
  },
  en: {
    title: 'Alfa-Click — payment',
    signInTitle: 'Sign in to internet banking',
    signInText: 'Paying an order of {amount}. Sign in to sign the payment order.',
    login: 'Login',
    password: 'Password',
    signIn: 'Sign in',
    testClients: 'Sandbox test clients',
    testClientRich: 'an ordinary client with enough money',
    testClientPoor: 'too little money: the bank declines the payment',
    badCredentials: 'Wrong login or password.',
    sessionOver: 'The session is over. Sign in again to sign the order.',
    orderTitle: 'Payment order No. {number} of {date}',
    payer: 'Payer',
    debitAccount: 'Debit account',
    balance: 'Available',
    payee: 'Payee',
    payeeDetails: 'INN {inn}, account {account}, BIC {bic}, {bank}',
    purpose: 'Purpose of payment',
    amount: 'Amount',
    signHint: 'By signing the order you instruct the bank to transfer the money to the payee.',
    sign: 'Sign',
    cancel: 'Cancel',
    processing:
      'The payment order is signed and sent for execution. The bank will execute it {when}; the shop’s payment page will update by itself.',
    executed: 'The bank has executed the payment. The money went to the payee.',
    insufficient_funds: 'The bank declined the payment: not enough money in the account.',
    buyer_cancelled: 'You cancelled the payment. No money was taken.',
    rejected: 'The bank declined the payment.',
    expired:
      'The time to pay is over: the order can no longer be signed. Go back to the shop and start again.',
    notFound: 'There is no such payment order.',
    back: 'Back to the shop',
    inSeconds: 'within {count} s',
    inMinutes: 'within {count} min',
  },
} as const;

type BankTextKey = keyof (typeof TEXTS)['ru'];

function textsOf(language: Language) {
  return (key: BankTextKey, values?: Record<string, string | number>) =>
    formatText(TEXTS[language][key], values);
}

export function registerSandboxBank(app: FastifyInstance, deps: Deps): void {
  const options: SandboxBankOptions = {
    db: deps.db,
    clock: deps.clock,
    masterKey: deps.config.masterKey,
    delaySeconds: deps.config.sandboxBankDelaySeconds,
  };
  app.get('/sandbox/bank/:reference', async (request, reply) => {
    const language = sandboxLanguage(request);
    const operation = await findSandboxOperation(deps.db, SANDBOX_BANK_PROVIDER, referenceOf(request));
    const view = new BankView(reply, deps, language);
    if (!operation) return view.notFound();
    if (operation.status === 'NEW' && !hasSandboxOperationExpired(operation, deps.clock.now()))
      return view.signIn(operation);
    return view.outcome(operation);
  });
  app.post('/sandbox/bank/:reference/sign-in', async (request, reply) => {
    const step = await signInToBank(options, referenceOf(request), {
      login: formField(request.body, 'login'),
      password: formField(request.body, 'password'),
    });
    return new BankView(reply, deps, sandboxLanguage(request)).step(step);
  });
  app.post('/sandbox/bank/:reference/order', async (request, reply) => {
    const step = await decideBankOrder(options, referenceOf(request), {
      session: formField(request.body, 'session'),
      decision: formField(request.body, 'decision') === 'sign' ? 'sign' : 'cancel',
    });
    return new BankView(reply, deps, sandboxLanguage(request)).step(step);
  });
}

function referenceOf(request: FastifyRequest): string {
  return (request.params as { reference: string }).reference;
}

function moscowDate(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ru-RU', {
    timeZone: 'Europe/Moscow',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(date);
}

/** One answer of the bank's pages, in the buyer's language. */
class BankView {
  private readonly t: ReturnType<typeof textsOf>;

  constructor(
    private readonly reply: FastifyReply,
    private readonly deps: Deps,
    private readonly language: Language,
  ) {
    this.t = textsOf(language);
  }

  step(step: BankStep): FastifyReply {
    switch (step.kind) {
      case 'not_found':
        return this.notFound();
      case 'bad_credentials':
        return this.signIn(step.operation, 'badCredentials', 422);
      case 'session_over':
        return this.signIn(step.operation, 'sessionOver', 401);
      case 'signed_in':
        return this.order(step.operation, step.client, step.session);
      default:
        return this.outcome(step.operation);
    }
  }

  notFound(): FastifyReply {
    return this.sendNotice(404, html`<p class="alert" role="alert">${this.t('notFound')}</p>`);
  }

  signIn(operation: SandboxOperation, error?: 'badCredentials' | 'sessionOver', status = 200): FastifyReply {
    const t = this.t;
    const body = html`<section class="card" aria-labelledby="bank-title">
        <h1 id="bank-title">${t('signInTitle')}</h1>
        <p>${t('signInText', { amount: this.money(operation.amount_minor) })}</p>
        ${error ? html`<p class="alert" role="alert">${t(error)}</p>` : ''}
        <form method="post" action="${this.action(operation, 'sign-in')}" novalidate data-once>
          <label for="login">${t('login')}</label>
          <input id="login" name="login" autocomplete="username" maxlength="40" required autofocus />
          <label for="password">${t('password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            maxlength="40"
            required
          />
          <button type="submit">${t('signIn')}</button>
        </form>
      </section>
      <section class="card" aria-labelledby="test-clients">
        <h2 id="test-clients">${t('testClients')}</h2>
        <ul data-test-clients>
          ${SANDBOX_BANK_CLIENTS.map(
            (client) =>
              html`<li>
                <code>${client.login}</code> / <code>${client.password}</code>:
                ${t(client.balanceMinor >= 1_000_000n ? 'testClientRich' : 'testClientPoor')}
              </li>`,
          )}
        </ul>
      </section>`;
    return this.send(status, body);
  }

  order(operation: SandboxOperation, client: SandboxBankClient, session: string): FastifyReply {
    const t = this.t;
    const details = operation.details;
    const body = html`<section class="card" aria-labelledby="bank-title">
      <h1 id="bank-title">
        ${t('orderTitle', {
          number: String(details.orderNumber ?? ''),
          date: moscowDate(operation.created_at, this.language),
        })}
      </h1>
      <dl data-payment-order>
        <dt>${t('payer')}</dt>
        <dd>${client.name}</dd>
        <dt>${t('debitAccount')}</dt>
        <dd data-debit-account>${client.account}</dd>
        <dt>${t('balance')}</dt>
        <dd>${this.money(client.balanceMinor)}</dd>
        <dt>${t('payee')}</dt>
        <dd>
          ${SANDBOX_BANK_PAYEE.name}<br />
          <small>${t('payeeDetails', { ...SANDBOX_BANK_PAYEE })}</small>
        </dd>
        <dt>${t('purpose')}</dt>
        <dd>${typeof details.purpose === 'string' ? details.purpose : ''}</dd>
        <dt>${t('amount')}</dt>
        <dd data-amount>${this.money(operation.amount_minor)}</dd>
      </dl>
      <form method="post" action="${this.action(operation, 'order')}" data-once>
        <input type="hidden" name="session" value="${session}" />
        <p class="hint">${t('signHint')}</p>
        <button type="submit" name="decision" value="sign">${t('sign')}</button>
        <button type="submit" name="decision" value="cancel" class="secondary">${t('cancel')}</button>
      </form>
    </section>`;
    return this.send(200, body);
  }

  /** Where an order stands once the client can no longer act on it. */
  outcome(operation: SandboxOperation): FastifyReply {
    const t = this.t;
    const status = bankStatusAt(operation, this.deps.clock.now());
    const back = this.backLink(operation);
    const reason = operation.details.rejectReason;
    if (status === 'PROCESSING')
      return this.sendNotice(
        200,
        html`<p class="alert ok" role="status" data-bank-status="PROCESSING">
            ${t('processing', { when: this.delayText() })}
          </p>
          ${back}`,
      );
    if (status === 'EXECUTED')
      return this.sendNotice(
        200,
        html`<p class="alert ok" role="status" data-bank-status="EXECUTED">${t('executed')}</p>
          ${back}`,
      );
    if (status === 'REJECTED') {
      const key = reason === 'insufficient_funds' || reason === 'buyer_cancelled' ? reason : 'rejected';
      return this.sendNotice(
        200,
        html`<p class="alert" role="alert" data-bank-status="REJECTED">${t(key)}</p>
          ${back}`,
      );
    }
    return this.sendNotice(
      410,
      html`<p class="alert" role="alert" data-bank-status="EXPIRED">${t('expired')}</p>
        ${back}`,
    );
  }

  private delayText(): string {
    const seconds = this.deps.config.sandboxBankDelaySeconds;
    if (seconds < 60) return this.t('inSeconds', { count: seconds });
    return this.t('inMinutes', { count: Math.ceil(seconds / 60) });
  }

  private backLink(operation: SandboxOperation): SafeHtml | string {
    const url = operation.details.returnUrl;
    return typeof url === 'string' ? html`<p><a class="button" href="${url}">${this.t('back')}</a></p>` : '';
  }

  private action(operation: SandboxOperation, step: 'sign-in' | 'order'): string {
    return `/sandbox/bank/${operation.reference}/${step}?lang=${this.language}`;
  }

  private money(minor: bigint): string {
    return formatMoneyForPeople(minor, 'RUB', this.language);
  }

  /** A short answer (an outcome, an error) on a card of its own, under the bank's name. */
  private sendNotice(status: number, notice: SafeHtml): FastifyReply {
    return this.send(
      status,
      html`<section class="card" aria-labelledby="bank-title">
        <h1 id="bank-title">${this.t('title')}</h1>
        ${notice}
      </section>`,
    );
  }

  private send(status: number, body: SafeHtml): FastifyReply {
    return sendSandboxPage(this.reply, status, this.language, this.t('title'), body);
  }
}
