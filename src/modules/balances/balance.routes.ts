/**
 * The cabinet's balance section (under /api/cabinet): balances of the account's shops, the entries of one
 * shop account with running balances, and the same entries as a CSV file. Permission balance.read; every
 * shop id must belong to the caller's account, otherwise "not found".
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { requestLanguage } from '../../platform/http/request.js';
import { CURRENCIES, type Currency } from '../../platform/money.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { formatMoscowTime } from '../../platform/csv.js';
import { buildBalanceEntriesCsv } from './balance.csv.js';
import {
  decodeEntriesCursor,
  DEFAULT_ENTRIES_PAGE_SIZE,
  findAccountCurrency,
  findBalanceShop,
  listBalanceEntries,
  MAX_ENTRIES_PAGE_SIZE,
  readAccountBalance,
  SHOP_PURPOSES,
} from './balance.queries.js';
import { SETTLEMENT_TIME_ZONE } from './settlement.calendar.js';

const currencySchema = () => Type.Union(CURRENCIES.map((currency) => Type.Literal(currency)));

const BalanceQuery = Type.Object({ currency: Type.Optional(currencySchema()) });

const EntriesFilterFields = {
  shopId: Type.String({ minLength: 1, maxLength: 64 }),
  account: Type.Union(SHOP_PURPOSES.map((purpose) => Type.Literal(purpose))),
  currency: Type.Optional(currencySchema()),
  before: Type.Optional(Type.String({ maxLength: 40 })),
};
const EntriesQuery = Type.Object({
  ...EntriesFilterFields,
  limit: Type.Optional(Type.String({ maxLength: 6 })),
});
const CsvQuery = Type.Object({
  ...EntriesFilterFields,
  lang: Type.Optional(Type.Union([Type.Literal('ru'), Type.Literal('en')])),
});

const badCursor: FieldProblem = {
  code: 'invalid_cursor',
  text: {
    ru: 'Неверная ссылка на следующую страницу: откройте список заново.',
    en: 'This next-page link is not valid: open the list again.',
  },
};
const badLimit: FieldProblem = {
  code: 'out_of_range',
  text: { ru: 'Целое число от 1 до {max}.', en: 'A whole number from 1 to {max}.' },
  values: { max: MAX_ENTRIES_PAGE_SIZE },
};

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_ENTRIES_PAGE_SIZE;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const limit = Number(text);
  return limit >= 1 && limit <= MAX_ENTRIES_PAGE_SIZE ? limit : undefined;
}

/** Meaning checks the schema cannot express: the cursor is one of ours, the page size is in range. */
function parsePaging(query: { before?: string | undefined; limit?: string | undefined }) {
  const limit = parseLimit(query.limit);
  const before = query.before === undefined ? undefined : decodeEntriesCursor(query.before);
  const problems: Record<string, FieldProblem> = {};
  if (limit === undefined) problems.limit = badLimit;
  if (query.before !== undefined && before === undefined) problems.before = badCursor;
  if (Object.keys(problems).length > 0) throw validationError(problems);
  return { before, limit: limit ?? DEFAULT_ENTRIES_PAGE_SIZE };
}

/** A file name safe in any header and file system: kopek-<shop>-<account>-<date>.csv. */
function csvFileName(merchantLogin: string, account: string, now: Date): string {
  const shop = merchantLogin.replace(/[^A-Za-z0-9_-]/g, '_');
  return `kopek-${shop}-${account}-${formatMoscowTime(now).slice(0, 10)}.csv`;
}

export function registerBalanceRoutes(app: FastifyInstance, deps: Deps): void {
  const requirePermission = createAuthGuard(deps);
  const guard = requirePermission('balance.read');

  app.get('/balance', { preHandler: guard, schema: { querystring: BalanceQuery } }, async (request) => {
    const query = request.query as typeof BalanceQuery.static;
    return readAccountBalance(deps.db, requireMerchantActor(request).accountId, {
      currency: query.currency,
      businessDays: deps.config.settlementBusinessDays,
      timeZone: SETTLEMENT_TIME_ZONE,
    });
  });

  app.get(
    '/balance/entries',
    { preHandler: guard, schema: { querystring: EntriesQuery } },
    async (request) => {
      const query = request.query as typeof EntriesQuery.static;
      const accountId = requireMerchantActor(request).accountId;
      const paging = parsePaging(query);
      const shop = await findBalanceShop(deps.db, accountId, query.shopId);
      const currency: Currency = query.currency ?? (await findAccountCurrency(deps.db, accountId));
      return listBalanceEntries(deps.db, shop, currency, { account: query.account, ...paging });
    },
  );

  app.get(
    '/balance/entries.csv',
    { preHandler: guard, schema: { querystring: CsvQuery } },
    async (request, reply) => {
      const query = request.query as typeof CsvQuery.static;
      const accountId = requireMerchantActor(request).accountId;
      const { before } = parsePaging({ before: query.before });
      const shop = await findBalanceShop(deps.db, accountId, query.shopId);
      const currency: Currency = query.currency ?? (await findAccountCurrency(deps.db, accountId));
      const language = query.lang ?? requestLanguage(request);
      const csv = await buildBalanceEntriesCsv(
        deps.db,
        shop,
        currency,
        { account: query.account, before },
        language,
      );
      const fileName = csvFileName(shop.merchantLogin, query.account, deps.clock.now());
      return reply
        .header('content-type', 'text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );
}
