/**
 * E-mail subscriptions per person and category: the cabinet's settings and the one-click unsubscribe.
 * A missing row means the category's default. Every change is audited in its own transaction, naming
 * how it was made (the cabinet, the unsubscribe page, or a mail client's one-click POST).
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import type { Language } from '../../platform/i18n.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import {
  canSeeCategory,
  defaultDelivery,
  deliveryChoices,
  isUnsubscribable,
  visibleCategories,
  type Delivery,
  type MessageCategory,
} from './message.categories.js';
import { messageErrors, messageProblems } from './message.errors.js';
import type { InboxReader } from './message.inbox.js';
import { withMessageTables } from './message.tables.js';
import { readUnsubscribeToken } from './unsubscribe.token.js';

export interface SubscriptionView {
  readonly category: MessageCategory;
  readonly delivery: Delivery;
  readonly choices: readonly Delivery[];
  /** Security: always on. */
  readonly isLocked: boolean;
}

export type SubscriptionChannel = 'cabinet' | 'unsubscribe_page' | 'one_click';

function toView(category: MessageCategory, delivery: Delivery): SubscriptionView {
  return {
    category,
    delivery,
    choices: deliveryChoices(category),
    isLocked: !isUnsubscribable(category),
  };
}

/** The person's subscriptions for every category their role may see. */
export async function listSubscriptions(
  deps: Pick<Deps, 'db'>,
  reader: InboxReader,
): Promise<SubscriptionView[]> {
  const rows = await withMessageTables(deps.db)
    .selectFrom('message_subscriptions')
    .select(['category', 'delivery'])
    .where('user_id', '=', reader.userId)
    .execute();
  const chosen = new Map(rows.map((row) => [row.category, row.delivery]));
  return visibleCategories(reader.role).map((category) =>
    toView(category, chosen.get(category) ?? defaultDelivery(category)),
  );
}

/**
 * Writes the person's choice and audits it when it changes what they get. Returns the choice before.
 * The conditional upsert makes a repeated or concurrent identical change a no-op (and one audit entry).
 */
async function writeDelivery(
  trx: Transaction<Database>,
  deps: Pick<Deps, 'clock'>,
  change: {
    userId: string;
    accountId: string | null;
    category: MessageCategory;
    delivery: Delivery;
    channel: SubscriptionChannel;
    ip: string | null;
  },
): Promise<Delivery> {
  const tables = withMessageTables(trx);
  const existing = await tables
    .selectFrom('message_subscriptions')
    .select('delivery')
    .where('user_id', '=', change.userId)
    .where('category', '=', change.category)
    .forUpdate()
    .executeTakeFirst();
  const previous = existing?.delivery ?? defaultDelivery(change.category);
  const written = await tables
    .insertInto('message_subscriptions')
    .values({
      user_id: change.userId,
      category: change.category,
      delivery: change.delivery,
      updated_at: deps.clock.now(),
    })
    .onConflict((conflict) =>
      conflict
        .columns(['user_id', 'category'])
        .doUpdateSet((eb) => ({
          delivery: eb.ref('excluded.delivery'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('message_subscriptions.delivery', '<>', change.delivery),
    )
    .returning('delivery')
    .executeTakeFirst();
  if (written && previous !== change.delivery) {
    await recordAudit(trx, deps.clock, {
      accountId: change.accountId,
      actorUserId: change.userId,
      action: 'messages.subscription_changed',
      target: change.category,
      details: { category: change.category, delivery: change.delivery, previous, channel: change.channel },
      ip: change.ip,
    });
  }
  return previous;
}

export async function setSubscription(
  deps: Pick<Deps, 'db' | 'clock'>,
  reader: InboxReader,
  category: MessageCategory,
  delivery: Delivery,
  ip: string | null,
): Promise<SubscriptionView> {
  if (!canSeeCategory(reader.role, category)) throw messageErrors.categoryNotFound();
  const choices = deliveryChoices(category);
  if (!choices.includes(delivery))
    throw validationError({
      delivery: { ...messageProblems.deliveryNotAllowed, values: { choices: choices.join(', ') } },
    });
  await deps.db.transaction().execute((trx) =>
    writeDelivery(trx, deps, {
      userId: reader.userId,
      accountId: reader.accountId,
      category,
      delivery,
      channel: 'cabinet',
      ip,
    }),
  );
  return toView(category, delivery);
}

export type UnsubscribeState =
  | { readonly status: 'invalid' }
  | {
      readonly status: 'subscribed' | 'unsubscribed' | 'already_off';
      readonly email: string;
      readonly language: Language;
      readonly category: MessageCategory;
    };

async function findTokenUser(deps: Pick<Deps, 'db' | 'config'>, token: string) {
  const target = readUnsubscribeToken(deps.config.masterKey, token);
  if (!target || !isUnsubscribable(target.category)) return undefined;
  const user = await deps.db
    .selectFrom('users')
    .select(['id', 'email', 'language', 'account_id'])
    .where('id', '=', target.userId)
    .executeTakeFirst();
  return user ? { ...user, category: target.category } : undefined;
}

/** What the unsubscribe page shows before the button is pressed. Changes nothing. */
export async function describeUnsubscribe(
  deps: Pick<Deps, 'db' | 'config'>,
  token: string,
): Promise<UnsubscribeState> {
  const user = await findTokenUser(deps, token);
  if (!user) return { status: 'invalid' };
  const row = await withMessageTables(deps.db)
    .selectFrom('message_subscriptions')
    .select('delivery')
    .where('user_id', '=', user.id)
    .where('category', '=', user.category)
    .executeTakeFirst();
  const delivery = row?.delivery ?? defaultDelivery(user.category);
  return {
    status: delivery === 'off' ? 'already_off' : 'subscribed',
    email: user.email,
    language: user.language,
    category: user.category,
  };
}

/** The one-click unsubscribe (RFC 8058): no session, no CSRF token; the signed token is the authority. */
export async function unsubscribeByToken(
  deps: Pick<Deps, 'db' | 'config' | 'clock'>,
  token: string,
  channel: Exclude<SubscriptionChannel, 'cabinet'>,
  ip: string | null,
): Promise<UnsubscribeState> {
  const user = await findTokenUser(deps, token);
  if (!user) return { status: 'invalid' };
  const previous = await deps.db.transaction().execute((trx) =>
    writeDelivery(trx, deps, {
      userId: user.id,
      accountId: user.account_id,
      category: user.category,
      delivery: 'off',
      channel,
      ip,
    }),
  );
  return {
    status: previous === 'off' ? 'already_off' : 'unsubscribed',
    email: user.email,
    language: user.language,
    category: user.category,
  };
}
