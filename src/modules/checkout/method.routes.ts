/**
 * The payment page with other methods: which methods the buyer may choose (enabled for the shop, able
 * to take this payment), the chosen method's start form or pending view, and the buyer's steps:
 * `POST .../method` starts an attempt, `.../method/cancel` closes it to choose again,
 * `.../method/confirm` sends the SMS code, `GET .../status` is what the page polls.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import type { Language } from '../../platform/i18n.js';
import { formatMoneyForPeople } from '../../platform/money.js';
import {
  findMethodByLabelOrAlias,
  findProviderByName,
  listEnabledMethods,
  type PaymentMethodMatch,
} from '../methods/index.js';
import {
  closeOpenMethodAttempt,
  findLatestMethodAttempt,
  quoteBuyerFee,
  startMethodAttempt,
  type CheckoutPayment,
  type MethodAttemptRow,
} from '../payments/index.js';
import {
  attemptAlert,
  reasonText,
  renderMethodChooser,
  renderMethodPending,
  renderMethodStart,
  type ChooserEntry,
} from './method-flows.js';
import { methodTextsFor } from './method.texts.js';

export interface MethodPageTools {
  readonly deps: Deps;
  loadOr404(
    paymentId: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<CheckoutPayment | undefined>;
  languageOf(request: FastifyRequest, found: CheckoutPayment): Language;
  send(
    found: CheckoutPayment,
    language: Language,
    reply: FastifyReply,
    body: SafeHtml,
    status?: number,
  ): FastifyReply;
  /** The card form (or CVC form) for the card method. */
  renderCard(found: CheckoutPayment, language: Language): Promise<SafeHtml>;
}

export function paymentPath(paymentId: string, suffix = ''): string {
  return `/Merchant/Index/${encodeURIComponent(paymentId)}${suffix}`;
}

/** Methods this payment can be paid with: enabled for the shop, and able to do what the payment asks. */
export async function methodsForPayment(deps: Deps, found: CheckoutPayment): Promise<PaymentMethodMatch[]> {
  const { payment } = found;
  // A saved-card payment and a recurring charge are the card's by nature.
  if (payment.cof_payment_id !== null || payment.previous_payment_id !== null)
    return [findMethodByLabelOrAlias('BankCard')].filter((match) => match !== undefined);
  const enabled = await listEnabledMethods(deps.db, payment.shop_id, deps.providers.methodProviders);
  return enabled.filter(
    ({ item }) =>
      item.currencies.includes(payment.currency) &&
      (!payment.is_step_by_step || item.capabilities.isHoldable) &&
      (!payment.is_recurring || item.capabilities.isRecurring),
  );
}

function pick(methods: readonly PaymentMethodMatch[], wanted: string | null | undefined) {
  if (!wanted) return undefined;
  const match = findMethodByLabelOrAlias(wanted);
  return match && methods.find((method) => method.item.label === match.item.label);
}

/** The state the page is drawn for; /status answers the same, so the page reloads on any change. */
function pollStateOf(buyerStatus: string, attempt: MethodAttemptRow | undefined): string {
  return [buyerStatus, attempt?.id ?? '', attempt?.status ?? '', String(attempt?.received_minor ?? 0n)].join(
    '|',
  );
}

function isOpen(attempt: MethodAttemptRow | undefined): attempt is MethodAttemptRow {
  return attempt !== undefined && (attempt.status === 'pending' || attempt.status === 'starting');
}

export interface MethodPartOptions {
  readonly requestedMethod?: string | undefined;
  readonly alert?: string;
  readonly fieldErrors?: Readonly<Record<string, string>>;
  readonly values?: Readonly<Record<string, string>>;
  readonly smsError?: string;
}

/** The payment page's body below the summary: the chooser and the chosen method's part. */
export async function renderMethodPart(
  tools: MethodPageTools,
  found: CheckoutPayment,
  language: Language,
  options: MethodPartOptions = {},
): Promise<SafeHtml> {
  const { deps } = tools;
  const methods = await methodsForPayment(deps, found);
  const latest = await findLatestMethodAttempt(deps.db, found.payment.id);
  const open = isOpen(latest) ? latest : undefined;
  // An open attempt keeps its instructions on the page even if its method is no longer offered (its
  // provider switched off meanwhile): money already moving must be able to land.
  const selected =
    pick(methods, options.requestedMethod) ??
    (open && findMethodByLabelOrAlias(open.method_label)) ??
    pick(methods, found.payment.inc_curr_label) ??
    methods[0];
  const chooser = renderMethodChooser(
    language,
    await chooserEntries(deps, found, methods, selected, language),
  );
  if (!selected || selected.item.kind === 'bank_card')
    return html`${chooser}${await tools.renderCard(found, language)}`;
  const money = (amountMinor: bigint) => formatMoneyForPeople(amountMinor, found.payment.currency, language);
  if (open && open.method_label === selected.item.label) {
    const pending = await renderMethodPending(language, {
      attempt: open,
      method: selected,
      statusUrl: paymentPath(found.payment.id, '/status'),
      pollState: pollStateOf(found.payment.status, open),
      cancelAction: paymentPath(found.payment.id, '/method/cancel'),
      confirmAction: paymentPath(found.payment.id, '/method/confirm'),
      voucherUrl: paymentPath(found.payment.id, '/voucher'),
      formatMoney: money,
      ...(options.smsError ? { smsError: options.smsError } : {}),
    });
    // While the buyer is paying (a QR code, a code, an SMS), the page is about that; "choose another way
    // to pay" below it brings the chooser back.
    return pending;
  }
  const lastOfThis = latest?.method_label === selected.item.label ? latest : undefined;
  const fee = await quoteBuyerFee(deps.db, deps, found.payment, found.shop, selected.group.code);
  const alert = options.alert ?? attemptAlert(language, lastOfThis);
  const start = renderMethodStart(language, {
    action: paymentPath(found.payment.id, '/method'),
    method: selected,
    amountText: money(found.payment.amount_minor + (fee ?? 0n)),
    ...(options.values ? { values: options.values } : {}),
    ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
    ...(alert ? { alert } : {}),
  });
  return html`${chooser}${start}`;
}

async function chooserEntries(
  deps: Deps,
  found: CheckoutPayment,
  methods: readonly PaymentMethodMatch[],
  selected: PaymentMethodMatch | undefined,
  language: Language,
): Promise<ChooserEntry[]> {
  const entries: ChooserEntry[] = [];
  for (const method of methods) {
    const fee = found.shop.is_buyer_fee
      ? await quoteBuyerFee(deps.db, deps, found.payment, found.shop, method.group.code)
      : null;
    entries.push({
      method,
      href: `${paymentPath(found.payment.id)}?method=${encodeURIComponent(method.item.alias)}`,
      isSelected: method.item.label === selected?.item.label,
      ...(fee !== null ? { feeText: formatMoneyForPeople(fee, found.payment.currency, language) } : {}),
    });
  }
  return entries;
}

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function paymentIdOf(request: FastifyRequest): string {
  return (request.params as { paymentId: string }).paymentId;
}

export function registerMethodCheckoutRoutes(app: FastifyInstance, tools: MethodPageTools): void {
  const { deps } = tools;
  app.post('/Merchant/Index/:paymentId/method', async (request, reply) => {
    const found = await tools.loadOr404(paymentIdOf(request), request, reply);
    if (!found) return reply;
    const language = tools.languageOf(request, found);
    const alias = field(request.body, 'method');
    const method = pick(await methodsForPayment(deps, found), alias);
    if (!method || method.item.kind === 'bank_card')
      return reply.redirect(paymentPath(found.payment.id), 303);
    const buyerInput = { phone: field(request.body, 'phone').trim() };
    const result = await startMethodAttempt(deps, {
      paymentId: found.payment.id,
      method,
      buyerInput,
      returnUrl: `${deps.config.publicUrl}${paymentPath(found.payment.id)}`,
    });
    if (result.kind !== 'refused')
      return reply.redirect(
        `${paymentPath(found.payment.id)}?method=${encodeURIComponent(method.item.alias)}`,
        303,
      );
    const reason = reasonText(language, result.reason);
    const options: MethodPartOptions = result.field
      ? { requestedMethod: alias, values: buyerInput, fieldErrors: { [result.field]: capitalize(reason) } }
      : { requestedMethod: alias, alert: methodTextsFor(language)('refused', { reason }) };
    return tools.send(found, language, reply, await renderMethodPart(tools, found, language, options), 422);
  });

  app.post('/Merchant/Index/:paymentId/method/cancel', async (request, reply) => {
    const found = await tools.loadOr404(paymentIdOf(request), request, reply);
    if (!found) return reply;
    await deps.db.transaction().execute(async (trx) => {
      await trx.selectFrom('payments').select('id').where('id', '=', found.payment.id).forUpdate().execute();
      await closeOpenMethodAttempt(trx, deps, found.payment.id, 'buyer_cancelled');
    });
    return reply.redirect(paymentPath(found.payment.id), 303);
  });

  app.post('/Merchant/Index/:paymentId/method/confirm', async (request, reply) => {
    const found = await tools.loadOr404(paymentIdOf(request), request, reply);
    if (!found) return reply;
    const language = tools.languageOf(request, found);
    const attempt = await findLatestMethodAttempt(deps.db, found.payment.id);
    const provider = attempt && findProviderByName(deps.providers.methodProviders, attempt.provider);
    if (!isOpen(attempt) || !provider?.confirm || attempt.provider_reference === null)
      return reply.redirect(paymentPath(found.payment.id), 303);
    const outcome = await provider.confirm(attempt.provider_reference, {
      code: field(request.body, 'code').trim(),
    });
    if (outcome.kind !== 'wrong_code') return reply.redirect(paymentPath(found.payment.id), 303);
    const smsError = methodTextsFor(language)('wrongCode', { tries: outcome.triesLeft });
    return tools.send(
      found,
      language,
      reply,
      await renderMethodPart(tools, found, language, { smsError }),
      422,
    );
  });

  app.get('/Merchant/Index/:paymentId/status', async (request, reply) => {
    const found = await deps.db
      .selectFrom('payments')
      .select(['id', 'status'])
      .where('id', '=', paymentIdOf(request))
      .executeTakeFirst();
    if (!found) return reply.code(404).send({ error: { code: 'not_found', message: 'Payment not found' } });
    const latest = await findLatestMethodAttempt(deps.db, found.id);
    const status = found.status === 'held' ? 'paid' : found.status === 'released' ? 'expired' : found.status;
    return reply.header('cache-control', 'no-store').send({
      status,
      attempt: latest
        ? {
            status: latest.status,
            receivedMinor: String(latest.received_minor),
            amountMinor: String(latest.amount_minor),
          }
        : null,
      pollState: pollStateOf(status, latest),
    });
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
