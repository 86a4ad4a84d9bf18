/**
 * Message categories and the rules that follow from them, as pure data and functions:
 * - who may see an account-wide message of a category (the permission its subject needs: payouts are
 *   money, so people without balance.read see neither the payout nor its message);
 * - how each category may be delivered by e-mail, and what a person gets before they choose.
 * A message addressed to one person is theirs whatever the category.
 */
import type { Permission } from '../accounts/index.js';
import type { Role } from '../../schema.js';
import { hasPermission } from '../accounts/index.js';

export const MESSAGE_CATEGORIES = [
  'payments',
  'refunds',
  'payouts',
  'documents',
  'payment_changes',
  'news',
  'security',
  'moderation',
  'support',
] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

/** immediate: a mail per message; digest: one mail a day (payments only); off: no mail. */
export const DELIVERIES = ['immediate', 'digest', 'off'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export function isMessageCategory(value: unknown): value is MessageCategory {
  return typeof value === 'string' && (MESSAGE_CATEGORIES as readonly string[]).includes(value);
}

/** null: every person of the account. */
const CATEGORY_PERMISSION: Record<MessageCategory, Permission | null> = {
  payments: 'operations.read',
  refunds: 'operations.read',
  payouts: 'balance.read',
  documents: 'balance.read',
  payment_changes: 'shops.read',
  news: null,
  // Account-wide security notices (the account's settings, its people) are for administrators; a notice
  // about one person's own sign-in is addressed to that person.
  security: 'audit.read',
  // Those who can fix a shop's settings or site: administrators and developers.
  moderation: 'shops.write',
  support: null,
};

/**
 * Defaults before a person chooses. Payments come as one daily digest rather than a mail per payment.
 * News is off until the person turns it on: product news may count as advertising, which needs consent.
 * Security is always on and cannot be turned off: it is how a person learns that someone else got in.
 */
const DEFAULT_DELIVERY: Record<MessageCategory, Delivery> = {
  payments: 'digest',
  refunds: 'immediate',
  payouts: 'immediate',
  documents: 'immediate',
  payment_changes: 'immediate',
  news: 'off',
  security: 'immediate',
  moderation: 'immediate',
  support: 'immediate',
};

export function canSeeCategory(role: Role, category: MessageCategory): boolean {
  const permission = CATEGORY_PERMISSION[category];
  return permission === null || hasPermission(role, permission);
}

export function visibleCategories(role: Role): MessageCategory[] {
  return MESSAGE_CATEGORIES.filter((category) => canSeeCategory(role, category));
}

export function defaultDelivery(category: MessageCategory): Delivery {
  return DEFAULT_DELIVERY[category];
}

export function deliveryChoices(category: MessageCategory): readonly Delivery[] {
  if (category === 'security') return ['immediate'];
  if (category === 'payments') return ['immediate', 'digest', 'off'];
  return ['immediate', 'off'];
}

/** Security mail cannot be turned off, so it carries no unsubscribe link or header. */
export function isUnsubscribable(category: MessageCategory): boolean {
  return deliveryChoices(category).includes('off');
}
