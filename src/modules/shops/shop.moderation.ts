/**
 * Moderation by the operator: a shop sent for moderation is activated or rejected with a reason.
 * The account is told through its messages (category moderation), posted in the same transaction as the
 * decision; postMessage mails the people who follow moderation (administrators and developers by default).
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { formatText, type Language } from '../../platform/i18n.js';
import type { Database, ShopStatus } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { postMessage } from '../messages/index.js';
import { shopErrors } from './shop.errors.js';
import { isSiteRequirementKey, listUnmetRequirements } from './site-requirements.js';
import { toShopView, type ShopView } from './shop.service.js';

export async function listShopsByStatus(deps: Deps, status: ShopStatus) {
  const rows = await deps.db
    .selectFrom('shops')
    .innerJoin('accounts', 'accounts.id', 'shops.account_id')
    .selectAll('shops')
    .select('accounts.login as account_login')
    .where('shops.status', '=', status)
    .orderBy('shops.submitted_at')
    .limit(200)
    .execute();
  return rows.map((row) => ({
    ...toShopView(row),
    accountLogin: row.account_login,
    submittedAt: row.submitted_at?.toISOString() ?? null,
  }));
}

const DECISION_MAIL: Record<
  'active' | 'rejected',
  Record<Language, { title: string; subject: string; body: string }>
> = {
  active: {
    ru: {
      title: 'Магазин «{name}» активирован',
      subject: 'Kopek: магазин «{name}» активирован',
      body: 'Магазин «{name}» ({merchantLogin}) прошёл модерацию и принимает платежи.',
    },
    en: {
      title: 'The shop "{name}" is active',
      subject: 'Kopek: the shop "{name}" is active',
      body: 'The shop "{name}" ({merchantLogin}) passed moderation and accepts payments.',
    },
  },
  rejected: {
    ru: {
      title: 'Магазин «{name}» не прошёл модерацию',
      subject: 'Kopek: магазин «{name}» не прошёл модерацию',
      body: 'Магазин «{name}» ({merchantLogin}) не прошёл модерацию. Причина: {reason}\nИсправьте замечания и отправьте магазин на модерацию снова.',
    },
    en: {
      title: 'The shop "{name}" did not pass moderation',
      subject: 'Kopek: the shop "{name}" did not pass moderation',
      body: 'The shop "{name}" ({merchantLogin}) did not pass moderation. Reason: {reason}\nFix the issues and send the shop for moderation again.',
    },
  },
};

async function notifyAccount(
  trx: Transaction<Database>,
  deps: Deps,
  shop: { id: string; account_id: string; name: string; merchant_login: string },
  decision: 'active' | 'rejected',
  reason: string,
  unmetRequirements: readonly string[],
): Promise<void> {
  // The reason names the operator's words, then every unticked site requirement in the reader's language.
  const reasonIn = (language: Language) =>
    [reason, listUnmetRequirements(unmetRequirements, language)].filter((part) => part !== '').join('\n');
  const texts = DECISION_MAIL[decision];
  const fill = (pick: 'title' | 'subject' | 'body') => ({
    ru: formatText(texts.ru[pick], {
      name: shop.name,
      merchantLogin: shop.merchant_login,
      reason: reasonIn('ru'),
    }),
    en: formatText(texts.en[pick], {
      name: shop.name,
      merchantLogin: shop.merchant_login,
      reason: reasonIn('en'),
    }),
  });
  await postMessage(trx, deps, {
    accountId: shop.account_id,
    category: 'moderation',
    title: fill('title'),
    subject: fill('subject'),
    body: fill('body'),
    link: `/cabinet/shops/${shop.id}`,
  });
}

export async function decideModeration(
  deps: Deps,
  operatorUserId: string,
  shopId: string,
  decision: 'active' | 'rejected',
  reason: string,
  ip: string,
  unmetRequirements: readonly string[] = [],
): Promise<ShopView> {
  const trimmedReason = reason.trim();
  const unknown = unmetRequirements.filter((key) => !isSiteRequirementKey(key));
  if (unknown.length > 0) {
    throw validationError({
      unmetRequirements: {
        code: 'unknown_requirement',
        text: { ru: 'Такого требования к сайту нет: {keys}.', en: 'No such site requirement: {keys}.' },
        values: { keys: unknown.join(', ') },
      },
    });
  }
  if (decision === 'rejected' && trimmedReason === '' && unmetRequirements.length === 0) {
    throw validationError({
      reason: {
        code: 'required',
        text: { ru: 'Укажите причину отказа.', en: 'Give the reason for rejection.' },
      },
    });
  }
  return deps.db.transaction().execute(async (trx) => {
    const shop = await trx
      .selectFrom('shops')
      .selectAll()
      .where('id', '=', shopId)
      .forUpdate()
      .executeTakeFirst();
    if (!shop) throw shopErrors.shopNotFound();
    if (shop.status !== 'moderation') throw shopErrors.notInModeration({ status: shop.status });
    const now = deps.clock.now();
    const updated = await trx
      .updateTable('shops')
      .set({
        status: decision,
        rejection_reason:
          decision === 'rejected'
            ? [trimmedReason, listUnmetRequirements(unmetRequirements, 'ru')]
                .filter((part) => part !== '')
                .join('\n')
            : null,
        reviewed_at: now,
        updated_at: now,
      })
      .where('id', '=', shop.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, deps.clock, {
      accountId: shop.account_id,
      actorUserId: operatorUserId,
      action: decision === 'active' ? 'shop.activated' : 'shop.rejected',
      target: shop.id,
      details:
        decision === 'rejected'
          ? { reason: trimmedReason, ...(unmetRequirements.length > 0 ? { unmetRequirements } : {}) }
          : {},
      ip,
    });
    await notifyAccount(trx, deps, shop, decision, trimmedReason, unmetRequirements);
    return toShopView(updated);
  });
}
