/**
 * The shop's ledger entries in the JSON API v1: one ledger account of the key's shop (pending,
 * available, on hold, in payout), newest first, with the balance after each entry, in pages joined by a
 * keyset cursor (the entry id), so a page never skips or repeats an entry while new ones are posted. It
 * reuses the cabinet's balance query (balances/balance.queries.ts): one snapshot per page.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import {
  decodeEntriesCursor,
  DEFAULT_ENTRIES_PAGE_SIZE,
  findAccountCurrency,
  findBalanceShop,
  listBalanceEntries,
  MAX_ENTRIES_PAGE_SIZE,
} from '../balances/index.js';
import type { ApiClient } from './api-key.service.js';
import { LedgerEntriesQuery, LedgerEntryPage } from './api-v1.resources.schemas.js';
import { commonErrorResponses } from './api-v1.schemas.js';

const SECURITY = [{ apiKey: [] }];

const PROBLEMS = {
  before: { code: 'invalid', text: { ru: 'Неверный курсор.', en: 'The cursor is not valid.' } },
  limit: {
    code: 'out_of_range',
    text: { ru: 'Целое число от 1 до {max}.', en: 'A whole number from 1 to {max}.' },
    values: { max: MAX_ENTRIES_PAGE_SIZE },
  },
};

function readPaging(query: typeof LedgerEntriesQuery.static) {
  const limit = query.limit === undefined ? DEFAULT_ENTRIES_PAGE_SIZE : Number(query.limit);
  const before = query.before === undefined ? undefined : decodeEntriesCursor(query.before);
  if (limit > MAX_ENTRIES_PAGE_SIZE) throw validationError({ limit: PROBLEMS.limit });
  if (query.before !== undefined && before === undefined) throw validationError({ before: PROBLEMS.before });
  return { limit, before };
}

export function registerLedgerApiRoutes(
  app: FastifyInstance,
  deps: Deps,
  clientOf: (request: FastifyRequest) => ApiClient,
): void {
  app.get(
    '/ledger/entries',
    {
      schema: {
        tags: ['ledger'],
        summary: "Entries of one of the shop's ledger accounts, newest first",
        description:
          'Amounts are positive when the shop’s money in the account grew. Pass `nextCursor` as `before` ' +
          'for the next page; pages join up exactly (keyset pagination by entry id).',
        security: SECURITY,
        querystring: LedgerEntriesQuery,
        response: { 200: LedgerEntryPage, ...commonErrorResponses },
      },
    },
    async (request) => {
      const client = clientOf(request);
      const query = request.query as typeof LedgerEntriesQuery.static;
      const paging = readPaging(query);
      const shop = await findBalanceShop(deps.db, client.accountId, client.shopId);
      const currency = query.currency ?? (await findAccountCurrency(deps.db, client.accountId));
      return listBalanceEntries(deps.db, shop, currency, {
        account: query.account ?? 'available',
        ...paging,
      });
    },
  );
}
