/**
 * The sandbox cash terminal: what a payment terminal or ATM of the network shows, and the JSON API a
 * terminal's software calls. The buyer types the payment code; the terminal shows the amount, what was
 * inserted and what is left; banknotes (or any amount, coins included) go in one insertion at a time, and
 * each insertion is told to Kopek by the network's signed callback (sandbox-terminal.ts, insertCash).
 * With the rule 'phone' (KOPEK_CASH_OVERPAYMENT) cash beyond the amount needs the buyer's phone, which
 * gets the change; with 'keep' it is taken as an overpayment. A code past its time, or already paid, is
 * refused with the reason.
 *
 * Terminal API (authenticated by the `X-Terminal-Key` header, derived from the master key and shown on
 * the sandbox terminal page):
 * - `GET /sandbox/terminal/api/codes/:code`: what a code asks (amount, inserted, left, valid until).
 * - `POST /sandbox/terminal/api/payments` `{ code, amountMinor | amount, terminalId, phone? }`: inserts
 *   cash; answers the bill as it stands, or `{ error: { code, message } }` (401 bad_terminal_key,
 *   400 invalid_request / invalid_code, 404 unknown_code, 409 code_closed, 410 code_expired,
 *   422 phone_required / invalid_phone).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../deps.js';
import { html, type SafeHtml } from '../../../platform/http/html.js';
import { formatText, type Language } from '../../../platform/i18n.js';
import { formatMoneyForPeople, parseDecimalToMinor } from '../../../platform/money.js';
import { formField, sandboxLanguage, sendSandboxPage } from './sandbox-page.js';
import {
  groupTerminalCode,
  insertCash,
  isTerminalApiKeyValid,
  lookUpTerminalCode,
  readChangePhone,
  terminalApiKey,
  terminalBillOf,
  type CodeRefusal,
  type InsertionResult,
  type TerminalBill,
} from './sandbox-terminal.js';

/** Banknotes the sandbox terminal takes, in roubles (coins and odd sums go through the amount field). */
export const TERMINAL_BANKNOTES = [50, 100, 200, 500, 1000, 2000, 5000] as const;
/** One insertion at most: a terminal's cassette is not a bank vault. */
const MAX_INSERTION_MINOR = 10_000_000n;
const PAGE_TERMINAL_ID = 'SBX-PAGE-01';
export const TERMINAL_KEY_HEADER = 'x-terminal-key';

const TEXTS = {
  ru: {
    title: 'Терминал оплаты наличными',
    enterCode: 'Код оплаты',
    codeHint: '12 цифр из квитанции или со страницы оплаты.',
    find: 'Продолжить',
    purpose: 'Назначение',
    amount: 'К оплате',
    inserted: 'Внесено',
    credited: 'Зачислено в оплату',
    left: 'Осталось внести',
    validUntil: 'Код действует до',
    insertBanknote: 'Или вставьте купюру',
    orAmount: 'Сумма (монеты, любая сумма), ₽',
    insert: 'Внести',
    phone: 'Телефон для сдачи',
    phoneHint: 'Если внесёте больше, чем нужно, сдача придёт на баланс этого телефона.',
    keepHint: 'Терминал не выдаёт сдачу: внесённое сверх суммы учитывается как переплата по платежу.',
    another: 'Другой код',
    receipt: 'Чек терминала',
    terminal: 'Терминал',
    time: 'Время (МСК)',
    code: 'Код',
    insertedNow: 'Принято сейчас',
    change: 'Сдача на телефон',
    overpaid: 'Переплата (учтена по платежу)',
    paidDone: 'Платёж оплачен полностью. Страница оплаты магазина обновится сама.',
    partDone: 'Принято. Можно внести остаток сейчас или позже, пока действует код.',
    invalid_code: 'Код введён с ошибкой: проверьте 12 цифр.',
    unknown_code: 'Платежа с таким кодом нет.',
    code_expired: 'Срок действия кода истёк: деньги не приняты. Получите новый код на странице оплаты.',
    code_closed: 'Этот код уже оплачен: деньги не приняты.',
    invalid_amount: 'Укажите сумму больше нуля, не больше 100 000 ₽, с точностью до копеек.',
    phone_required: 'Вы вносите на {change} больше, чем нужно: укажите телефон для сдачи. Деньги не приняты.',
    invalid_phone: 'Телефон: +7 и 10 цифр мобильного номера.',
    apiTitle: 'API терминала',
    apiText:
      'Терминалы сети обращаются к API с заголовком X-Terminal-Key. Ключ этой установки (выведен из мастер-ключа):',
  },
  en: {
    title: 'Cash payment terminal',
    enterCode: 'Payment code',
    codeHint: 'The 12 digits from the voucher or the payment page.',
    find: 'Continue',
    purpose: 'Purpose',
    amount: 'To pay',
    inserted: 'Inserted',
    credited: 'Credited to the payment',
    left: 'Still to pay',
    validUntil: 'The code is valid until',
    insertBanknote: 'Or insert a banknote',
    orAmount: 'Amount (coins, any sum), RUB',
    insert: 'Insert',
    phone: 'Phone for the change',
    phoneHint: 'If you insert more than due, the change goes to this phone’s balance.',
    keepHint: 'The terminal gives no change: cash beyond the amount is recorded as an overpayment.',
    another: 'Another code',
    receipt: 'Terminal receipt',
    terminal: 'Terminal',
    time: 'Time (Moscow)',
    code: 'Code',
    insertedNow: 'Taken now',
    change: 'Change to the phone',
    overpaid: 'Overpayment (recorded with the payment)',
    paidDone: 'The payment is paid in full. The shop’s payment page will update by itself.',
    partDone: 'Taken. Insert the rest now or later, while the code is valid.',
    invalid_code: 'The code has a typo: check the 12 digits.',
    unknown_code: 'There is no payment with this code.',
    code_expired: 'The code has expired: no cash taken. Get a new code on the payment page.',
    code_closed: 'This code is already paid: no cash taken.',
    invalid_amount: 'Enter an amount above zero, at most RUB 100,000, to the kopeck.',
    phone_required: 'You are inserting {change} more than due: enter a phone for the change. No cash taken.',
    invalid_phone: 'Phone: +7 and the 10 digits of a mobile number.',
    apiTitle: 'Terminal API',
    apiText:
      'The network’s terminals call the API with the X-Terminal-Key header. This installation’s key (derived from the master key):',
  },
} as const;

type TerminalTextKey = keyof (typeof TEXTS)['ru'];
type InsertionError = CodeRefusal | 'invalid_amount' | 'phone_required' | 'invalid_phone';

const ERROR_STATUS: Record<InsertionError, number> = {
  invalid_code: 400,
  unknown_code: 404,
  code_closed: 409,
  code_expired: 410,
  invalid_amount: 422,
  phone_required: 422,
  invalid_phone: 422,
};

function textsOf(language: Language) {
  return (key: TerminalTextKey, values?: Record<string, string>) => formatText(TEXTS[language][key], values);
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

export function registerSandboxTerminal(app: FastifyInstance, deps: Deps): void {
  app.get('/sandbox/terminal', async (request, reply) => showCodeForm(reply, deps, sandboxLanguage(request)));
  app.post('/sandbox/terminal', async (request, reply) => takeFromPage(deps, request, reply));
  app.get('/sandbox/terminal/api/codes/:code', async (request, reply) => {
    if (!isTerminalApiKeyValid(deps.config.masterKey, headerOf(request, TERMINAL_KEY_HEADER)))
      return sendApiError(reply, sandboxLanguage(request), 401, 'bad_terminal_key');
    const { code } = request.params as { code: string };
    const found = await lookUpTerminalCode(deps.db, deps.clock.now(), code);
    if (found.kind === 'refused')
      return sendApiError(reply, sandboxLanguage(request), ERROR_STATUS[found.reason], found.reason);
    return reply.header('cache-control', 'no-store').send(billJson(terminalBillOf(found.operation)));
  });
  app.post('/sandbox/terminal/api/payments', async (request, reply) => takeFromApi(deps, request, reply));
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Roubles as typed ("150", "150.50", "150,50") in kopecks, if a sane insertion. */
function readInsertion(typed: string): bigint | undefined {
  const minor = parseDecimalToMinor(typed.trim().replace(',', '.'), 'RUB');
  return minor !== undefined && minor > 0n && minor <= MAX_INSERTION_MINOR ? minor : undefined;
}

/** What the form asked to insert: a banknote button, or the amount field. */
function formInsertion(body: unknown): bigint | undefined | 'none' {
  const banknote = formField(body, 'banknote');
  if (banknote !== '') {
    const roubles = Number(banknote);
    return (TERMINAL_BANKNOTES as readonly number[]).includes(roubles) ? BigInt(roubles) * 100n : undefined;
  }
  if (formField(body, 'insert') === 'amount') return readInsertion(formField(body, 'amount'));
  return 'none';
}

/** The phone for the change: undefined when none was typed, 'invalid' when it is not a mobile number. */
function typedPhone(typed: string): string | undefined | 'invalid' {
  if (typed.trim() === '') return undefined;
  return readChangePhone(typed) ?? 'invalid';
}

async function takeFromPage(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const language = sandboxLanguage(request);
  const typedCode = formField(request.body, 'code');
  const found = await lookUpTerminalCode(deps.db, deps.clock.now(), typedCode);
  if (found.kind === 'refused')
    return showCodeForm(reply, deps, language, { code: typedCode, error: found.reason });
  const bill = terminalBillOf(found.operation);
  const insertMinor = formInsertion(request.body);
  if (insertMinor === 'none') return showBill(reply, deps, language, bill);
  if (insertMinor === undefined) return showBill(reply, deps, language, bill, { error: 'invalid_amount' });
  const phone = typedPhone(formField(request.body, 'phone'));
  if (phone === 'invalid') return showBill(reply, deps, language, bill, { error: 'invalid_phone' });
  const result = await insertCash(
    { db: deps.db, clock: deps.clock, masterKey: deps.config.masterKey, rule: deps.config.cashOverpayment },
    { code: bill.code, insertMinor, terminalId: PAGE_TERMINAL_ID, ...(phone ? { phone } : {}) },
  );
  if (result.kind === 'refused')
    return showCodeForm(reply, deps, language, { code: typedCode, error: result.reason });
  if (result.kind === 'phone_required')
    return showBill(reply, deps, language, result.bill, {
      error: 'phone_required',
      change: formatMoneyForPeople(result.changeMinor, 'RUB', language),
    });
  return showBill(reply, deps, language, result.bill, { receipt: result });
}

function readApiBody(
  body: unknown,
):
  | { code: string; insertMinor: bigint; terminalId: string; phone: string | undefined | 'invalid' }
  | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const fields = body as Record<string, unknown>;
  const { code, terminalId } = fields;
  if (typeof code !== 'string' || typeof terminalId !== 'string' || !/^[\w-]{1,32}$/.test(terminalId))
    return undefined;
  let insertMinor: bigint | undefined;
  if (typeof fields.amountMinor === 'number' && Number.isSafeInteger(fields.amountMinor))
    insertMinor = BigInt(fields.amountMinor);
  else if (typeof fields.amountMinor === 'string' && /^\d{1,15}$/.test(fields.amountMinor))
    insertMinor = BigInt(fields.amountMinor);
  else if (typeof fields.amount === 'string' || typeof fields.amount === 'number')
    insertMinor = readInsertion(String(fields.amount));
  if (insertMinor === undefined || insertMinor <= 0n || insertMinor > MAX_INSERTION_MINOR) return undefined;
  const phone = typeof fields.phone === 'string' ? typedPhone(fields.phone) : undefined;
  return { code, insertMinor, terminalId, phone };
}

async function takeFromApi(deps: Deps, request: FastifyRequest, reply: FastifyReply) {
  const language = sandboxLanguage(request);
  if (!isTerminalApiKeyValid(deps.config.masterKey, headerOf(request, TERMINAL_KEY_HEADER)))
    return sendApiError(reply, language, 401, 'bad_terminal_key');
  const input = readApiBody(request.body);
  if (!input) return sendApiError(reply, language, 400, 'invalid_request');
  if (input.phone === 'invalid') return sendApiError(reply, language, 422, 'invalid_phone');
  const result: InsertionResult = await insertCash(
    { db: deps.db, clock: deps.clock, masterKey: deps.config.masterKey, rule: deps.config.cashOverpayment },
    {
      code: input.code,
      insertMinor: input.insertMinor,
      terminalId: input.terminalId,
      ...(input.phone ? { phone: input.phone } : {}),
    },
  );
  if (result.kind === 'refused')
    return sendApiError(reply, language, ERROR_STATUS[result.reason], result.reason);
  if (result.kind === 'phone_required')
    return sendApiError(reply, language, 422, 'phone_required', {
      change: formatMoneyForPeople(result.changeMinor, 'RUB', language),
    });
  return reply.header('cache-control', 'no-store').send({
    ...billJson(result.bill),
    insertedNowMinor: Number(result.insertMinor),
    at: result.at.toISOString(),
    terminalId: input.terminalId,
  });
}

/** A bill as the terminal API answers it: amounts in kopecks. */
function billJson(bill: TerminalBill) {
  return {
    operationId: bill.operationId,
    code: bill.code,
    status: bill.status,
    comment: bill.comment,
    amountMinor: Number(bill.amountMinor),
    insertedMinor: Number(bill.insertedMinor),
    receivedMinor: Number(bill.receivedMinor),
    leftMinor: Number(bill.leftMinor),
    overpaidMinor: Number(overpaidOf(bill)),
    changeMinor: Number(bill.changeMinor),
    ...(bill.changePhone ? { changePhone: bill.changePhone } : {}),
    validUntil: bill.validUntil.toISOString(),
  };
}

/** Cash kept beyond the amount (rule 'keep'); change sent to a phone is not kept. */
function overpaidOf(bill: TerminalBill): bigint {
  return bill.receivedMinor > bill.amountMinor ? bill.receivedMinor - bill.amountMinor : 0n;
}

const API_ERRORS: Record<string, { ru: string; en: string }> = {
  bad_terminal_key: { ru: 'Неверный ключ терминала.', en: 'Wrong terminal key.' },
  invalid_request: {
    ru: 'Нужны code, terminalId (до 32 букв, цифр, - и _) и amountMinor (копейки) или amount (рубли).',
    en: 'Expected code, terminalId (up to 32 letters, digits, - and _) and amountMinor (kopecks) or amount (roubles).',
  },
};

function sendApiError(
  reply: FastifyReply,
  language: Language,
  status: number,
  code: string,
  values: Record<string, string> = {},
) {
  const text = Object.hasOwn(API_ERRORS, code)
    ? (API_ERRORS[code] as { ru: string; en: string })[language]
    : formatText(TEXTS[language][code as TerminalTextKey], values);
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error: { code, message: text } });
}

function showCodeForm(
  reply: FastifyReply,
  deps: Deps,
  language: Language,
  state: { code?: string; error?: CodeRefusal } = {},
) {
  const t = textsOf(language);
  const body = html`<section class="card">
      <h1>${t('title')}</h1>
      ${state.error ? html`<p class="alert" role="alert">${t(state.error)}</p>` : ''}
      <form method="post" action="/sandbox/terminal" novalidate data-once>
        <label for="code">${t('enterCode')}</label>
        <input
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="off"
          maxlength="20"
          value="${state.code ?? ''}"
          aria-describedby="code-hint"
          required
          autofocus
        />
        <p class="hint" id="code-hint">${t('codeHint')}</p>
        <button type="submit">${t('find')}</button>
      </form>
    </section>
    <details class="card">
      <summary>${t('apiTitle')}</summary>
      <p>${t('apiText')}</p>
      <p><code data-terminal-key>${terminalApiKey(deps.config.masterKey)}</code></p>
      <pre>
POST /sandbox/terminal/api/payments
X-Terminal-Key: …
{"code": "…", "amountMinor": 50000, "terminalId": "TRM-001"}</pre>
    </details>`;
  return sendSandboxPage(reply, state.error ? ERROR_STATUS[state.error] : 200, language, t('title'), body);
}

interface BillViewState {
  readonly error?: InsertionError;
  readonly change?: string;
  readonly receipt?: Extract<InsertionResult, { kind: 'accepted' }>;
}

function showBill(
  reply: FastifyReply,
  deps: Deps,
  language: Language,
  bill: TerminalBill,
  state: BillViewState = {},
) {
  const t = textsOf(language);
  const money = (minor: bigint) => formatMoneyForPeople(minor, 'RUB', language);
  const isPaid = bill.status === 'COMPLETED';
  const body = html`<section class="card" aria-labelledby="terminal-title">
      <h1 id="terminal-title">${t('title')}</h1>
      ${state.error ? html`<p class="alert" role="alert">${t(state.error, state.change ? { change: state.change } : {})}</p>` : ''}
      ${state.receipt ? html`<p class="alert ok" role="status">${isPaid ? t('paidDone') : t('partDone')}</p>` : ''}
      <dl>
        <dt>${t('purpose')}</dt>
        <dd>${bill.comment}</dd>
        <dt>${t('amount')}</dt>
        <dd data-owed>${money(bill.amountMinor)}</dd>
        <dt>${t('inserted')}</dt>
        <dd data-inserted>${money(bill.insertedMinor)}</dd>
        <dt>${t('left')}</dt>
        <dd data-left>${money(bill.leftMinor)}</dd>
        <dt>${t('validUntil')}</dt>
        <dd>${moscowTime(bill.validUntil, language)}</dd>
      </dl>
    </section>
    ${state.receipt ? renderReceipt(language, state.receipt) : ''}
    ${isPaid ? '' : renderInsertForm(deps, language, bill, state)}
    <p><a class="link" href="/sandbox/terminal?lang=${language}">${t('another')}</a></p>`;
  const status = state.error ? ERROR_STATUS[state.error] : 200;
  return sendSandboxPage(reply, status, language, t('title'), body);
}

function renderInsertForm(
  deps: Deps,
  language: Language,
  bill: TerminalBill,
  state: BillViewState,
): SafeHtml {
  const t = textsOf(language);
  const isPhoneRule = deps.config.cashOverpayment === 'phone';
  return html`<form method="post" action="/sandbox/terminal" class="card" novalidate>
    <input type="hidden" name="code" value="${bill.code}" />
    <label for="amount">${t('orAmount')}</label>
    <input id="amount" name="amount" inputmode="decimal" autocomplete="off" maxlength="12" />
    <button type="submit" name="insert" value="amount">${t('insert')}</button>
    <fieldset>
      <legend>${t('insertBanknote')}</legend>
      ${TERMINAL_BANKNOTES.map(
        (roubles) =>
          html`<button type="submit" name="banknote" value="${String(roubles)}" class="secondary">
            ${formatMoneyForPeople(BigInt(roubles) * 100n, 'RUB', language)}
          </button>`,
      )}
    </fieldset>
    ${
      isPhoneRule
        ? html`<label for="phone">${t('phone')}</label>
            <input
              id="phone"
              name="phone"
              type="tel"
              inputmode="tel"
              maxlength="20"
              placeholder="+7 900 000-00-00"
              aria-describedby="phone-hint"
              ${state.error === 'phone_required' || state.error === 'invalid_phone' ? html`aria-invalid="true"` : ''}
            />
            <p class="hint" id="phone-hint">${t('phoneHint')}</p>`
        : html`<p class="hint">${t('keepHint')}</p>`
    }
  </form>`;
}

function renderReceipt(
  language: Language,
  receipt: Extract<InsertionResult, { kind: 'accepted' }>,
): SafeHtml {
  const t = textsOf(language);
  const money = (minor: bigint) => formatMoneyForPeople(minor, 'RUB', language);
  const { bill } = receipt;
  const overpaid = overpaidOf(bill);
  return html`<section class="card" aria-labelledby="receipt-title" data-receipt>
    <h2 id="receipt-title">${t('receipt')}</h2>
    <dl>
      <dt>${t('terminal')}</dt>
      <dd>${PAGE_TERMINAL_ID}</dd>
      <dt>${t('time')}</dt>
      <dd>${moscowTime(receipt.at, language)}</dd>
      <dt>${t('code')}</dt>
      <dd>${groupTerminalCode(bill.code)}</dd>
      <dt>${t('insertedNow')}</dt>
      <dd>${money(receipt.insertMinor)}</dd>
      <dt>${t('inserted')}</dt>
      <dd>${money(bill.insertedMinor)}</dd>
      <dt>${t('credited')}</dt>
      <dd>${money(bill.receivedMinor)}</dd>
      ${
        bill.changeMinor > 0n && bill.changePhone
          ? html`<dt>${t('change')}</dt>
              <dd data-change>${money(bill.changeMinor)} → ${bill.changePhone}</dd>`
          : ''
      }
      ${
        overpaid > 0n
          ? html`<dt>${t('overpaid')}</dt>
              <dd data-overpaid>${money(overpaid)}</dd>`
          : ''
      }
    </dl>
  </section>`;
}
