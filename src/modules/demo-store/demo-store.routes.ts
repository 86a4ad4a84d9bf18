/**
 * The demo store: a tiny merchant site wired to the seeded demo shop, so a newcomer sees the whole cycle
 * in a minute. It does exactly what a real shop's site does with Robokassa, and nothing more: it signs a
 * payment URL with Password #1, checks the ResultURL signature with Password #2 and answers OK<InvId>,
 * and checks the SuccessURL signature with Password #1. Read it as an integration example.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { constantTimeEqual } from '../../platform/crypto.js';
import { html, type SafeHtml } from '../../platform/http/html.js';
import { hashHex, type HashAlgorithm } from '../protocol/index.js';

export interface DemoStoreSettings {
  readonly merchantLogin: string;
  readonly password1: string;
  readonly password2: string;
  readonly algorithm: HashAlgorithm;
  /** Where Kopek's payment page lives: the only thing that changes when a shop moves from Robokassa. */
  readonly paymentPageUrl: string;
}

const PRODUCT = { code: 'coffee-beans', name: 'Кофе в зёрнах «Копейка», 1 кг', price: '1490.00' } as const;

function fieldsOf(request: FastifyRequest): Record<string, string> {
  const source = (request.method === 'GET' ? request.query : request.body) as
    Record<string, unknown> | undefined;
  return Object.fromEntries(
    Object.entries(source ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** What every Robokassa integration computes: MD5 (or the shop's algorithm) of the colon-joined values. */
function sign(settings: DemoStoreSettings, parts: readonly string[]): string {
  return hashHex(settings.algorithm, parts.join(':'));
}

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="ru">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Демо-магазин</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 640px;
            margin: 0 auto;
            padding: 16px;
            color: #222;
          }
          .product {
            border: 1px solid #ddd;
            border-radius: 12px;
            padding: 16px;
          }
          button {
            font: inherit;
            padding: 10px 18px;
            border: 0;
            border-radius: 8px;
            background: #6b3e26;
            color: #fff;
            cursor: pointer;
          }
          table {
            border-collapse: collapse;
            width: 100%;
            font-size: 14px;
          }
          td,
          th {
            border-top: 1px solid #eee;
            padding: 6px;
            text-align: left;
          }
          .note {
            color: #666;
            font-size: 14px;
          }
        </style>
      </head>
      <body>
        <h1>☕ Демо-магазин</h1>
        <p class="note">
          Пример сайта магазина, подключённого к Kopek по протоколу Robokassa (магазин <code>demo</code>).
          Оплата — в песочнице.
        </p>
        ${body}
      </body>
    </html>`.value;
}

function sendHtml(reply: FastifyReply, status: number, content: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .send(content);
}

async function showStore(deps: Deps, reply: FastifyReply) {
  const orders = await deps.db
    .selectFrom('demo_store_orders')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(10)
    .execute();
  const rows = orders.map(
    (order) =>
      html`<tr>
        <td>${String(order.id)}</td>
        <td>${order.out_sum} ₽</td>
        <td>${order.status === 'paid' ? 'оплачен' : 'ждёт оплаты'}</td>
      </tr>`,
  );
  return sendHtml(
    reply,
    200,
    page(
      'Каталог',
      html`<div class="product">
          <h2>${PRODUCT.name}</h2>
          <p>${PRODUCT.price} ₽</p>
          <form method="post" action="/demo-store/orders"><button type="submit">Купить</button></form>
        </div>
        <h2>Последние заказы</h2>
        ${
          orders.length === 0
            ? html`<p class="note">Заказов пока нет.</p>`
            : html`<table>
                <tr>
                  <th>Заказ</th>
                  <th>Сумма</th>
                  <th>Статус</th>
                </tr>
                ${rows}
              </table>`
        }`,
    ),
  );
}

/** "Buy": create the order, then send the buyer to the payment page with a signed request. */
async function buy(deps: Deps, settings: DemoStoreSettings, reply: FastifyReply) {
  const order = await deps.db
    .insertInto('demo_store_orders')
    .values({ product: PRODUCT.code, out_sum: PRODUCT.price, status: 'new', created_at: deps.clock.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const invId = String(order.id);
  const shp: [string, string] = ['Shp_product', PRODUCT.code];
  const signature = sign(settings, [
    settings.merchantLogin,
    PRODUCT.price,
    invId,
    settings.password1,
    `${shp[0]}=${shp[1]}`,
  ]);
  const query = new URLSearchParams({
    MerchantLogin: settings.merchantLogin,
    OutSum: PRODUCT.price,
    InvId: invId,
    Description: PRODUCT.name,
    Culture: 'ru',
    [shp[0]]: shp[1],
    SignatureValue: signature,
  });
  return reply.redirect(`${settings.paymentPageUrl}?${query.toString()}`, 303);
}

function shpPartsOf(fields: Record<string, string>): string[] {
  return Object.keys(fields)
    .filter((name) => /^shp_/i.test(name))
    .sort()
    .map((name) => `${name}=${fields[name]}`);
}

/** ResultURL: the only trustworthy news of a payment. Verify with Password #2, mark paid, answer OK<InvId>. */
async function receiveResult(
  deps: Deps,
  settings: DemoStoreSettings,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const fields = fieldsOf(request);
  const expected = sign(settings, [
    fields.OutSum ?? '',
    fields.InvId ?? '',
    settings.password2,
    ...shpPartsOf(fields),
  ]);
  if (!constantTimeEqual((fields.SignatureValue ?? '').toLowerCase(), expected.toLowerCase())) {
    return reply.code(400).type('text/plain').send('bad sign');
  }
  if (/^\d+$/.test(fields.InvId ?? '')) {
    await deps.db
      .updateTable('demo_store_orders')
      .set({ status: 'paid', paid_at: deps.clock.now(), payment_method: fields.PaymentMethod ?? null })
      .where('id', '=', BigInt(fields.InvId ?? '0'))
      .where('status', '=', 'new')
      .execute();
  }
  return reply.type('text/plain').send(`OK${fields.InvId}`);
}

async function showSuccess(
  deps: Deps,
  settings: DemoStoreSettings,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const fields = fieldsOf(request);
  const expected = sign(settings, [
    fields.OutSum ?? '',
    fields.InvId ?? '',
    settings.password1,
    ...shpPartsOf(fields),
  ]);
  if (!constantTimeEqual((fields.SignatureValue ?? '').toLowerCase(), expected.toLowerCase())) {
    return sendHtml(reply, 400, page('Ошибка', html`<p>Подпись SuccessURL неверна.</p>`));
  }
  const order = /^\d+$/.test(fields.InvId ?? '')
    ? await deps.db
        .selectFrom('demo_store_orders')
        .selectAll()
        .where('id', '=', BigInt(fields.InvId ?? '0'))
        .executeTakeFirst()
    : undefined;
  // The order is fulfilled by ResultURL, not by this page: it only reports what ResultURL recorded.
  const status =
    order?.status === 'paid'
      ? 'оплачен, ResultURL получен и проверен'
      : 'ждём подтверждения оплаты (ResultURL)';
  return sendHtml(
    reply,
    200,
    page(
      'Спасибо',
      html`<h2>Спасибо за покупку!</h2>
        <p>Заказ № ${fields.InvId ?? ''}: ${status}.</p>
        <p><a href="/demo-store">В каталог</a></p>`,
    ),
  );
}

function showFail(request: FastifyRequest, reply: FastifyReply) {
  const fields = fieldsOf(request);
  return sendHtml(
    reply,
    200,
    page(
      'Оплата не завершена',
      html`<h2>Оплата не завершена</h2>
        <p>Заказ № ${fields.InvId ?? ''} не оплачен. Можно попробовать снова.</p>
        <p><a href="/demo-store">В каталог</a></p>`,
    ),
  );
}

export function registerDemoStoreRoutes(app: FastifyInstance, deps: Deps, settings: DemoStoreSettings): void {
  app.get('/demo-store', (_request, reply) => showStore(deps, reply));
  app.post('/demo-store/orders', (_request, reply) => buy(deps, settings, reply));
  app.get('/demo-store/result', (request, reply) => receiveResult(deps, settings, request, reply));
  app.post('/demo-store/result', (request, reply) => receiveResult(deps, settings, request, reply));
  app.get('/demo-store/success', (request, reply) => showSuccess(deps, settings, request, reply));
  app.post('/demo-store/success', (request, reply) => showSuccess(deps, settings, request, reply));
  app.get('/demo-store/fail', (request, reply) => showFail(request, reply));
  app.post('/demo-store/fail', (request, reply) => showFail(request, reply));
}
