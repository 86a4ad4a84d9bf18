/**
 * The card vault: the only place a card number (PAN) is kept after the request that carried it. The number
 * is sealed with AES-256-GCM under a key derived from the master key for this purpose alone; everything
 * else refers to a card by its token and its mask (first 6 and last 4 digits). The CVC never reaches here.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { SecretBox } from '../../platform/crypto.js';
import { createId } from '../../platform/ids.js';
import type { Database } from '../../schema.js';
import { vaultErrors } from './card-vault.errors.js';

const PAN_PATTERN = /^\d{12,19}$/;
const VAULT_PURPOSE = 'card-vault';

export interface CardToStore {
  readonly pan: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly brand: string;
}

/** What the rest of Kopek may know about a stored card: never the number itself. */
export interface StoredCard {
  readonly token: string;
  readonly first6: string;
  readonly last4: string;
  readonly brand: string;
  /** First 6 and last 4 digits with the middle starred, e.g. '411111******1111'. */
  readonly mask: string;
}

export interface CardForAcquirer {
  readonly pan: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly brand: string;
}

function vaultBox(masterKey: Buffer): SecretBox {
  return new SecretBox(masterKey, VAULT_PURPOSE);
}

/**
 * '411111******1111': the first 6 and last 4 digits, the rest starred (Robokassa's and PCI DSS's display
 * rule). Throws on anything that is not 12-19 digits; the message never repeats the input.
 */
export function maskPan(pan: string): string {
  if (!PAN_PATTERN.test(pan)) throw new RangeError('maskPan: expected 12-19 digits');
  return `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;
}

/*
 * The sealed text names its token ("<token>:<pan>"): GCM already detects a changed ciphertext, and the
 * token check also refuses a sealed number copied onto another card's row.
 */
function sealPan(box: SecretBox, token: string, pan: string): string {
  return box.encrypt(`${token}:${pan}`);
}

function openPan(box: SecretBox, token: string, sealed: string): string {
  let opened: string;
  try {
    opened = box.decrypt(sealed);
  } catch {
    throw vaultErrors.cardUnreadable();
  }
  const prefix = `${token}:`;
  const pan = opened.startsWith(prefix) ? opened.slice(prefix.length) : '';
  if (!PAN_PATTERN.test(pan)) throw vaultErrors.cardUnreadable();
  return pan;
}

function checkCardToStore(card: CardToStore): void {
  // Programming errors, not buyer input (checkout validates first); the messages never repeat the number.
  if (!PAN_PATTERN.test(card.pan)) throw new RangeError('storeCard: the card number must be 12-19 digits');
  if (!Number.isInteger(card.expiryMonth) || card.expiryMonth < 1 || card.expiryMonth > 12) {
    throw new RangeError('storeCard: the expiry month must be 1-12');
  }
  if (!Number.isInteger(card.expiryYear) || card.expiryYear < 2000 || card.expiryYear > 2199) {
    throw new RangeError('storeCard: the expiry year must be a four-digit year');
  }
  if (card.brand.trim() === '') throw new RangeError('storeCard: the brand is required');
}

/**
 * Seals the card and returns its token and mask. Takes a transaction, so the card is stored together with
 * whatever refers to it (a card attempt) or not at all. Each call makes a new token, even for a number
 * already in the vault: tokens are not linkable to one another through the number.
 */
export async function storeCard(
  trx: Transaction<Database>,
  deps: Pick<Deps, 'config' | 'clock'>,
  card: CardToStore,
): Promise<StoredCard> {
  checkCardToStore(card);
  const token = createId('card');
  const stored: StoredCard = {
    token,
    first6: card.pan.slice(0, 6),
    last4: card.pan.slice(-4),
    brand: card.brand,
    mask: maskPan(card.pan),
  };
  await trx
    .insertInto('card_vault')
    .values({
      token,
      pan_sealed: sealPan(vaultBox(deps.config.masterKey), token, card.pan),
      first6: stored.first6,
      last4: stored.last4,
      brand: card.brand,
      expiry_month: card.expiryMonth,
      expiry_year: card.expiryYear,
      created_at: deps.clock.now(),
    })
    .execute();
  return stored;
}

/**
 * The only way to get a card number back: for the call to the acquirer, right before it. The caller keeps
 * the number no longer than that call and never logs it.
 */
export async function readCardForAcquirer(
  db: Kysely<Database>,
  deps: Pick<Deps, 'config'>,
  token: string,
): Promise<CardForAcquirer> {
  const row = await db
    .selectFrom('card_vault')
    .select(['pan_sealed', 'first6', 'last4', 'brand', 'expiry_month', 'expiry_year'])
    .where('token', '=', token)
    .executeTakeFirst();
  if (!row) throw vaultErrors.cardNotFound();
  const pan = openPan(vaultBox(deps.config.masterKey), token, row.pan_sealed);
  if (!pan.startsWith(row.first6) || !pan.endsWith(row.last4)) {
    throw vaultErrors.cardUnreadable();
  }
  return { pan, expiryMonth: row.expiry_month, expiryYear: row.expiry_year, brand: row.brand };
}
