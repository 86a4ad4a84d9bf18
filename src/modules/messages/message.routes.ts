/**
 * The cabinet's inbox and e-mail subscriptions (under /api/cabinet; CSRF is checked by that context).
 * Every signed-in person of an account has an inbox: what they see follows from their role
 * (message.categories.ts). Everything is scoped to the caller's account and person.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { clientIp, sendNoContent } from '../../platform/http/request.js';
import { createAuthGuard, requireMerchantActor } from '../accounts/index.js';
import { DELIVERIES, MESSAGE_CATEGORIES } from './message.categories.js';
import { messageErrors } from './message.errors.js';
import {
  countUnread,
  findInboxMessage,
  listInbox,
  markAllRead,
  markMessageRead,
  MAX_INBOX_PAGE_SIZE,
} from './message.inbox.js';
import { listSubscriptions, setSubscription } from './subscription.service.js';

const CategorySchema = Type.Union(MESSAGE_CATEGORIES.map((category) => Type.Literal(category)));
const InboxQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  category: Type.Optional(CategorySchema),
  unread: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')])),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.String({ maxLength: 3 })),
});
const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const CategoryParams = Type.Object({ category: Type.String({ minLength: 1, maxLength: 32 }) });
const SubscriptionBody = Type.Object(
  { delivery: Type.Union(DELIVERIES.map((delivery) => Type.Literal(delivery))) },
  { additionalProperties: false },
);

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const limit = /^\d{1,3}$/.test(text) ? Number(text) : 0;
  if (limit < 1 || limit > MAX_INBOX_PAGE_SIZE)
    throw validationError({
      limit: {
        code: 'out_of_range',
        text: { ru: 'Целое число от 1 до {max}.', en: 'A whole number from 1 to {max}.' },
        values: { max: MAX_INBOX_PAGE_SIZE },
      },
    });
  return limit;
}

export function registerMessageRoutes(app: FastifyInstance, deps: Deps): void {
  const signedIn = { preHandler: createAuthGuard(deps)() };

  app.get('/messages', { ...signedIn, schema: { querystring: InboxQuery } }, async (request) => {
    const query = request.query as typeof InboxQuery.static;
    return listInbox(deps.db, requireMerchantActor(request), {
      ...(query.q !== undefined ? { search: query.q } : {}),
      ...(query.category !== undefined ? { category: query.category } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      isUnreadOnly: query.unread === '1',
      limit: parseLimit(query.limit),
    });
  });

  app.get('/messages/unread-count', signedIn, async (request) => ({
    count: await countUnread(deps.db, requireMerchantActor(request)),
  }));

  app.post('/messages/read-all', signedIn, async (request) => ({
    marked: await markAllRead(deps.db, deps.clock, requireMerchantActor(request)),
  }));

  app.get('/messages/:id', { ...signedIn, schema: { params: MessageParams } }, async (request) =>
    findInboxMessage(
      deps.db,
      requireMerchantActor(request),
      (request.params as typeof MessageParams.static).id,
    ),
  );

  app.post(
    '/messages/:id/read',
    { ...signedIn, schema: { params: MessageParams } },
    async (request, reply) => {
      const { id } = request.params as typeof MessageParams.static;
      await markMessageRead(deps.db, deps.clock, requireMerchantActor(request), id);
      return sendNoContent(reply);
    },
  );

  app.get('/message-subscriptions', signedIn, async (request) => ({
    items: await listSubscriptions(deps, requireMerchantActor(request)),
  }));

  app.put(
    '/message-subscriptions/:category',
    { ...signedIn, schema: { params: CategoryParams, body: SubscriptionBody } },
    async (request) => {
      const { category } = request.params as typeof CategoryParams.static;
      const { delivery } = request.body as typeof SubscriptionBody.static;
      const actor = requireMerchantActor(request);
      const known = MESSAGE_CATEGORIES.find((candidate) => candidate === category);
      if (!known) throw messageErrors.categoryNotFound();
      return setSubscription(deps, actor, known, delivery, clientIp(request));
    },
  );
}
