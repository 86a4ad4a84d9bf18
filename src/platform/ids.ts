/** Public ids: a readable prefix and 20 random base32 characters (100 bits), unguessable and URL-safe. */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let result = '';
  for (const byte of bytes) result += ALPHABET[byte % 32];
  return result;
}

export function createId(prefix: string): string {
  return `${prefix}_${randomBase32(20)}`;
}
