// Shapes of /api/cabinet/messages and /api/cabinet/message-subscriptions.

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
export type Delivery = 'immediate' | 'digest' | 'off';

export interface LocalizedText {
  ru: string;
  en: string;
}

export interface MessageSummary {
  id: string;
  category: MessageCategory;
  title: LocalizedText;
  preview: LocalizedText;
  link: string | null;
  isPersonal: boolean;
  isRead: boolean;
  createdAt: string;
}

export interface MessageDetails extends Omit<MessageSummary, 'preview'> {
  body: LocalizedText;
}

export interface InboxPage {
  items: MessageSummary[];
  nextCursor: string | null;
}

export interface Subscription {
  category: MessageCategory;
  delivery: Delivery;
  choices: Delivery[];
  isLocked: boolean;
}

export function isMessageCategory(value: string): value is MessageCategory {
  return (MESSAGE_CATEGORIES as readonly string[]).includes(value);
}
