/**
 * The unread counter in the navigation. One shared store for every badge on the page: it asks the server
 * while a badge is shown, every minute, when the window regains focus, and whenever the inbox says
 * something was read (notifyUnreadChanged).
 */
import { useSyncExternalStore } from 'react';
import { api } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import { messageTexts } from './messages.texts';

const REFRESH_MS = 60_000;
const listeners = new Set<() => void>();
let count: number | null = null;
let timer: number | undefined;

function load(): void {
  api.get<{ count: number }>('/api/cabinet/messages/unread-count').then(
    (answer) => {
      count = answer.count;
      listeners.forEach((listener) => listener());
    },
    // A failed refresh keeps the last known number; the next one may succeed.
    () => undefined,
  );
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    load();
    timer = window.setInterval(load, REFRESH_MS);
    window.addEventListener('focus', load);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.clearInterval(timer);
      window.removeEventListener('focus', load);
      // The next person to sign in on this page must not see this one's number.
      count = null;
    }
  };
}

/** Tells the counter to ask again: after reading one message or all of them. */
export function notifyUnreadChanged(): void {
  if (listeners.size > 0) load();
}

export function useUnreadCount(): number | null {
  return useSyncExternalStore(subscribe, () => count);
}

/** "3" next to «Сообщения»; nothing when all is read. */
export function UnreadBadge() {
  const t = useTexts(messageTexts);
  const unread = useUnreadCount();
  if (!unread) return null;
  return (
    <span className="nav-count" title={t('unreadCount', { count: unread })}>
      <span aria-hidden="true">{unread > 99 ? '99+' : unread}</span>
      <span className="visually-hidden">{t('unreadCount', { count: unread })}</span>
    </span>
  );
}
