/**
 * One-click unsubscribe tokens: `<userId>.<category>.<mac>`, where mac is HMAC-SHA256 over both under a
 * key derived from the master key (HKDF, purpose "mail-unsubscribe"), truncated to 128 bits, base64url.
 * Nothing is stored: the token can be checked on any node, works for as long as the mail is kept, and
 * cannot be made for another person or category without the master key. All it can ever do is turn one
 * person's mail of one category off, which is also why it does not expire.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { constantTimeEqual } from '../../platform/crypto.js';
import { isMessageCategory, type MessageCategory } from './message.categories.js';

const MAC_BYTES = 16;

export interface UnsubscribeTarget {
  readonly userId: string;
  readonly category: MessageCategory;
}

function deriveKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'kopek:mail-unsubscribe', 32));
}

function mac(key: Buffer, userId: string, category: string): string {
  return createHmac('sha256', key)
    .update(`unsubscribe:v1:${userId}:${category}`, 'utf8')
    .digest()
    .subarray(0, MAC_BYTES)
    .toString('base64url');
}

export function createUnsubscribeToken(masterKey: Buffer, target: UnsubscribeTarget): string {
  return `${target.userId}.${target.category}.${mac(deriveKey(masterKey), target.userId, target.category)}`;
}

/** The person and category a genuine token names; undefined for anything else. */
export function readUnsubscribeToken(masterKey: Buffer, token: string): UnsubscribeTarget | undefined {
  if (token.length > 100) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [userId = '', category = '', given = ''] = parts;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(userId) || !isMessageCategory(category)) return undefined;
  if (!constantTimeEqual(given, mac(deriveKey(masterKey), userId, category))) return undefined;
  return { userId, category };
}
