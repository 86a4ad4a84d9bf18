/**
 * The sandbox e-wallet's pages, where Kopek's redirect takes the buyer (as YooMoney's confirmation_url
 * does): sign in with one of the test accounts listed on the page, then a confirm page with the shop's
 * purpose, the amount and the account's balance, and Pay / Cancel. The decision is recorded and told to
 * Kopek by the wallet's signed notification (sandbox-wallet.ts, decideWalletPayment), and the buyer goes
 * back to the return URL, where the checkout shows the outcome (or why the wallet declined). A wrong
 * number or password is a field error and changes nothing; an operation past its time, unknown or
 * already decided answers so and takes nothing.
 *
 * GET  /sandbox/wallet/:reference          sign-in form and the test accounts with their balances
 * POST /sandbox/wallet/:reference          sign in (account, password): the confirm page
 * POST /sandbox/wallet/:reference/confirm  Pay or Cancel (account, session, decision): 303 to the shop
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../deps.js';
import { html } from '../../../platform/http/html.js';
import { formatText, localize, type Language } from '../../../platform/i18n.js';
import { formatMoneyForPeople } from '../../../platform/money.js';
import { returnUrlOf, type SandboxOperation } from './sandbox-operations.js';
import { formField, sandboxLanguage, sendSandboxPage } from './sandbox-page.js';
import {
  decideWalletPayment,
  findWalletOperation,
  maskWalletNumber,
  signInToWallet,
  walletBalanceMinor,
  walletOperationState,
  walletSessionToken,
  WALLET_TEST_ACCOUNTS,
  type WalletOperationState,
  type WalletTestAccount,
} from './sandbox-wallet.js';

const TEXTS = {
  ru: {
    title: 'Кошелёк ЮMoney',
    signInTitle: 'Вход в кошелёк',
    signInText: 'Войдите, чтобы оплатить {amount}.',
    account: 'Номер кошелька',
    password: 'Пароль',
    signIn: 'Войти',
    testAccounts: 'Тестовые кошельки',
    testAccountsHint: 'Баланс настоящий: оплаты списывают с него, возвраты зачисляют обратно.',
    passwordIs: 'пароль',
    balanceIs: 'баланс',
    balance: 'Баланс',
    unknown_account: 'Кошелька с таким номером нет: проверьте номер.',
    wrong_password: 'Неверный пароль. Ничего не списано.',
    confirmTitle: 'Подтверждение платежа',
    purpose: 'Назначение',
    amount: 'Сумма',
    wallet: 'Кошелёк',
    notEnough: 'На кошельке недостаточно средств: платёж будет отклонён.',
    blocked: 'Кошелёк заблокирован: платёж будет отклонён.',
    pay: 'Оплатить',
    cancel: 'Отменить',
    unknown: 'Такого платежа в кошельке нет.',
    expired: 'Время на оплату истекло: деньги не списаны. Вернитесь в магазин и начните оплату заново.',
    succeeded: 'Этот платёж уже оплачен.',
    canceled: 'Этот платёж уже отменён: деньги не списаны.',
    bad_session: 'Войдите в кошелёк ещё раз.',
    back: 'Вернуться в магазин',
  },
  en: {
    title: 'YooMoney wallet',
    signInTitle: 'Sign in to the wallet',
    signInText: 'Sign in to pay {amount}.',
    account: 'Wallet number',
    password: 'Password',
    signIn: 'Sign in',
    testAccounts: 'Test wallets',
    testAccountsHint: 'The balance is real: payments take from it, refunds put back.',
    passwordIs: 'password',
    balanceIs: 'balance',
    balance: 'Balance',
    unknown_account: 'There is no wallet with this number: check it.',
    wrong_password: 'Wrong password. Nothing was taken.',
    confirmTitle: 'Confirm the payment',
    purpose: 'Purpose',
    amount: 'Amount',
    wallet: 'Wallet',
    notEnough: 'The wallet has not enough money: the payment will be declined.',
    blocked: 'The wallet is blocked: the payment will be declined.',
    pay: 'Pay',
    cancel: 'Cancel',
    unknown: 'The wallet has no such payment.',
    expired: 'The time to pay is over: nothing was taken. Go back to the shop and start again.',
    succeeded: 'This payment is already paid.',
    canceled: 'This payment is already cancelled: nothing was taken.',
    bad_session: 'Sign in to the wallet again.',
    back: 'Back to the shop',
  },
} as const;

type WalletTextKey = keyof (typeof TEXTS)['ru'];

function textsOf(language: Language) {
  return (key: WalletTextKey, values?: Record<string, string>) => formatText(TEXTS[language][key], values);
}

/** HTTP status of a page about an operation that takes no decision. */
const CLOSED_STATUS: Record<Exclude<WalletOperationState, 'open'>, number> = {
  unknown: 404,
  expired: 410,
  succeeded: 409,
  canceled: 409,
};

export function registerSandboxWallet(app: FastifyInstance, deps: Deps): void {
  app.get('/sandbox/wallet/:reference', async (request, reply) => {
    const language = sandboxLanguage(request);
    const operation = await findWalletOperation(deps.db, referenceOf(request));
    const state = walletOperationState(operation, deps.clock.now());
    if (!operation || state !== 'open') return showClosed(reply, language, state, operation, 200);
    return showSignIn(reply, deps, language, operation);
  });
  app.post('/sandbox/wallet/:reference', async (request, reply) => signIn(deps, request, reply));
  app.post('/sandbox/wallet/:reference/confirm', async (request, reply) => decide(deps, request, reply));
}

function referenceOf(request: FastifyRequest): string {
  return (request.params as { reference: string }).reference;
}

async function signIn(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const language = sandboxLanguage(request);
  const operation = await findWalletOperation(deps.db, referenceOf(request));
  const state = walletOperationState(operation, deps.clock.now());
  if (!operation || state !== 'open') return showClosed(reply, language, state, operation);
  const typedAccount = formField(request.body, 'account');
  const result = signInToWallet(typedAccount, formField(request.body, 'password'));
  if (result.kind !== 'signed_in')
    return showSignIn(reply, deps, language, operation, { typedAccount, error: result.kind });
  return showConfirm(reply, deps, language, operation, result.account);
}

async function decide(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const language = sandboxLanguage(request);
  const reference = referenceOf(request);
  const result = await decideWalletPayment(
    { db: deps.db, clock: deps.clock, masterKey: deps.config.masterKey },
    {
      reference,
      accountNumber: formField(request.body, 'account'),
      session: formField(request.body, 'session'),
      decision: formField(request.body, 'decision') === 'pay' ? 'pay' : 'cancel',
    },
  );
  if (result.kind === 'decided' && result.returnUrl !== '') return reply.redirect(result.returnUrl, 303);
  const operation = await findWalletOperation(deps.db, reference);
  if (result.kind === 'refused' && result.state === 'bad_session' && operation)
    return showSignIn(reply, deps, language, operation, { error: 'bad_session' });
  const state = walletOperationState(operation, deps.clock.now());
  return showClosed(reply, language, state === 'open' ? 'unknown' : state, operation);
}

function backLink(language: Language, operation: SandboxOperation | undefined) {
  const back = operation ? returnUrlOf(operation) : '';
  return back ? html`<p><a class="button" href="${back}">${textsOf(language)('back')}</a></p>` : '';
}

function showClosed(
  reply: FastifyReply,
  language: Language,
  state: WalletOperationState,
  operation: SandboxOperation | undefined,
  doneStatus?: number,
) {
  const t = textsOf(language);
  const closed = state === 'open' ? 'unknown' : state;
  const isDone = closed === 'succeeded' || closed === 'canceled';
  const status = isDone && doneStatus !== undefined ? doneStatus : CLOSED_STATUS[closed];
  const body = html`<section class="card">
    <h1>${t('title')}</h1>
    <p class="alert${closed === 'succeeded' ? ' ok' : ''}" role="alert">${t(closed)}</p>
    ${backLink(language, operation)}
  </section>`;
  return sendSandboxPage(reply, status, language, t('title'), body);
}

/** "4100 1000 0000 0001": a wallet number in groups of four, for people. */
function groupWalletNumber(number: string): string {
  return number.replace(/(\d{4})(?=\d)/g, '$1 ');
}

function amountOf(operation: SandboxOperation, language: Language): string {
  return formatMoneyForPeople(operation.amount_minor, 'RUB', language);
}

async function showSignIn(
  reply: FastifyReply,
  deps: Deps,
  language: Language,
  operation: SandboxOperation,
  state: { typedAccount?: string; error?: 'unknown_account' | 'wrong_password' | 'bad_session' } = {},
) {
  const t = textsOf(language);
  const accountError = state.error === 'unknown_account';
  const passwordError = state.error === 'wrong_password';
  const accounts = await Promise.all(
    WALLET_TEST_ACCOUNTS.map(async (account) => ({
      account,
      balance: await walletBalanceMinor(deps.db, account),
    })),
  );
  const body = html`<section class="card" aria-labelledby="wallet-title">
      <h1 id="wallet-title">${t('signInTitle')}</h1>
      <p>${t('signInText', { amount: amountOf(operation, language) })}</p>
      ${state.error === 'bad_session' ? html`<p class="alert" role="alert">${t('bad_session')}</p>` : ''}
      <form
        method="post"
        action="/sandbox/wallet/${operation.reference}?lang=${language}"
        novalidate
        data-once
      >
        <label for="account">${t('account')}</label>
        <input
          id="account"
          name="account"
          inputmode="numeric"
          autocomplete="username"
          maxlength="24"
          value="${state.typedAccount ?? ''}"
          ${accountError ? html`aria-invalid="true" aria-describedby="account-error"` : ''}
          required
          ${passwordError ? '' : html`autofocus`}
        />
        ${accountError ? html`<p class="error" id="account-error">${t('unknown_account')}</p>` : ''}
        <label for="password">${t('password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          maxlength="64"
          ${passwordError ? html`aria-invalid="true" aria-describedby="password-error"` : ''}
          required
          ${passwordError ? html`autofocus` : ''}
        />
        ${passwordError ? html`<p class="error" id="password-error">${t('wrong_password')}</p>` : ''}
        <button type="submit">${t('signIn')}</button>
      </form>
    </section>
    <section class="card" aria-labelledby="accounts-title" data-test-accounts>
      <h2 id="accounts-title">${t('testAccounts')}</h2>
      <p class="hint">${t('testAccountsHint')}</p>
      <ul>
        ${accounts.map(
          ({ account, balance }) =>
            html`<li data-account="${account.number}">
              <code>${groupWalletNumber(account.number)}</code> — ${localize(account.note, language)}<br />
              ${t('passwordIs')} <code>${account.password}</code>, ${t('balanceIs')}
              ${formatMoneyForPeople(balance, 'RUB', language)}
            </li>`,
        )}
      </ul>
    </section>`;
  const status = state.error === 'bad_session' ? 403 : state.error ? 422 : 200;
  return sendSandboxPage(reply, status, language, t('signInTitle'), body);
}

async function showConfirm(
  reply: FastifyReply,
  deps: Deps,
  language: Language,
  operation: SandboxOperation,
  account: WalletTestAccount,
) {
  const t = textsOf(language);
  const balance = await walletBalanceMinor(deps.db, account);
  const purpose = typeof operation.details.description === 'string' ? operation.details.description : '';
  const warning = account.isBlocked
    ? t('blocked')
    : balance < operation.amount_minor
      ? t('notEnough')
      : undefined;
  const session = walletSessionToken(deps.config.masterKey, operation.reference, account.number);
  const body = html`<section class="card" aria-labelledby="confirm-title">
    <h1 id="confirm-title">${t('confirmTitle')}</h1>
    <dl>
      <dt>${t('purpose')}</dt>
      <dd data-purpose>${purpose}</dd>
      <dt>${t('amount')}</dt>
      <dd data-amount>${amountOf(operation, language)}</dd>
      <dt>${t('wallet')}</dt>
      <dd>${maskWalletNumber(account.number)}</dd>
      <dt>${t('balance')}</dt>
      <dd data-balance>${formatMoneyForPeople(balance, 'RUB', language)}</dd>
    </dl>
    ${warning ? html`<p class="alert" role="status">${warning}</p>` : ''}
    <form method="post" action="/sandbox/wallet/${operation.reference}/confirm?lang=${language}" data-once>
      <input type="hidden" name="account" value="${account.number}" />
      <input type="hidden" name="session" value="${session}" />
      <button type="submit" name="decision" value="pay">
        ${t('pay')} · ${amountOf(operation, language)}
      </button>
      <button type="submit" name="decision" value="cancel" class="secondary">${t('cancel')}</button>
    </form>
  </section>`;
  return sendSandboxPage(reply, 200, language, t('confirmTitle'), body);
}
