/** Unsubscribe tokens, pure: they name exactly one person and category, and any change breaks them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createUnsubscribeToken,
  MESSAGE_CATEGORIES,
  readUnsubscribeToken,
} from '../../src/modules/messages/index.js';

const key = Buffer.from('44'.repeat(32), 'hex');
const userId = fc.stringMatching(/^usr_[0-9a-z]{20}$/);
const category = fc.constantFrom(...MESSAGE_CATEGORIES);

describe('unsubscribe tokens', () => {
  it('read back the person and category they were made for', () => {
    fc.assert(
      fc.property(userId, category, (user, kind) => {
        const token = createUnsubscribeToken(key, { userId: user, category: kind });
        expect(token.length).toBeLessThanOrEqual(100);
        expect(token).toMatch(/^[\w.-]+$/);
        expect(readUnsubscribeToken(key, token)).toEqual({ userId: user, category: kind });
      }),
    );
  });

  it('are refused after any change of one character, and under another key', () => {
    fc.assert(
      fc.property(
        userId,
        category,
        fc.nat(),
        fc.constantFrom(...'abcxyzABCXYZ019_-.'),
        (user, kind, position, replacement) => {
          const token = createUnsubscribeToken(key, { userId: user, category: kind });
          const index = position % token.length;
          fc.pre(token[index] !== replacement);
          const altered = token.slice(0, index) + replacement + token.slice(index + 1);
          expect(readUnsubscribeToken(key, altered)).toBeUndefined();
        },
      ),
    );
    const token = createUnsubscribeToken(key, { userId: 'usr_abc', category: 'news' });
    expect(readUnsubscribeToken(Buffer.from('45'.repeat(32), 'hex'), token)).toBeUndefined();
    expect(readUnsubscribeToken(key, `${token}x`)).toBeUndefined();
    expect(readUnsubscribeToken(key, '')).toBeUndefined();
  });
});
