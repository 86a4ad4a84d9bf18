import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  maskPan,
  readCardForAcquirer,
  storeCard,
  type CardToStore,
  type StoredCard,
} from '../../src/modules/vault/index.js';
import { SecretBox } from '../../src/platform/crypto.js';
import { AppError } from '../../src/platform/http/errors.js';
import { createTestContext, type TestContext } from '../support/harness.js';

let context: TestContext;
beforeAll(async () => {
  context = await createTestContext();
});
afterAll(async () => context?.close());

const VISA: CardToStore = { pan: '4111111111111111', expiryMonth: 12, expiryYear: 2028, brand: 'visa' };

function store(card: CardToStore): Promise<StoredCard> {
  return context.deps.db.transaction().execute((trx) => storeCard(trx, context.deps, card));
}

async function vaultRow(token: string) {
  return context.deps.db
    .selectFrom('card_vault')
    .selectAll()
    .where('token', '=', token)
    .executeTakeFirstOrThrow();
}

async function expectAppError(promise: Promise<unknown>, code: string, statusCode: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code, statusCode });
}

describe('maskPan', () => {
  it.each([
    ['4111111111111111', '411111******1111'],
    ['378282246310005', '378282*****0005'],
    ['123456789012', '123456**9012'],
    ['1234567890123456789', '123456*********6789'],
  ])('%s -> %s', (pan, mask) => {
    expect(maskPan(pan)).toBe(mask);
  });

  it.each(['', '12345678901', '12345678901234567890', '4111 1111 1111 1111', '411111111111111a'])(
    'refuses %j without repeating it',
    (pan) => {
      expect(() => maskPan(pan)).toThrow(RangeError);
      try {
        maskPan(pan);
      } catch (error) {
        if (pan !== '') expect(String(error)).not.toContain(pan);
      }
    },
  );
});

describe('storing a card', () => {
  it('returns a token and the mask, and reads the card back for the acquirer', async () => {
    const stored = await store(VISA);
    expect(stored).toEqual({
      token: expect.stringMatching(/^card_[0-9a-z]{20}$/),
      first6: '411111',
      last4: '1111',
      brand: 'visa',
      mask: '411111******1111',
    });
    expect(await readCardForAcquirer(context.deps.db, context.deps, stored.token)).toEqual({
      pan: VISA.pan,
      expiryMonth: 12,
      expiryYear: 2028,
      brand: 'visa',
    });
  });

  it('keeps the number sealed: the row shows only the first 6 and last 4 digits', async () => {
    // Middle digits unlike the first 6 and last 4, so their absence from the row means something.
    const pan = '5200828282828210';
    const stored = await store({ pan, expiryMonth: 7, expiryYear: 2031, brand: 'mastercard' });
    const row = await vaultRow(stored.token);
    expect(row).toMatchObject({
      first6: '520082',
      last4: '8210',
      brand: 'mastercard',
      expiry_month: 7,
      expiry_year: 2031,
      created_at: context.clock.now(),
    });
    expect(row.pan_sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row.pan_sealed).not.toContain(pan);
    expect(row.pan_sealed).not.toMatch(/\d{10}/);
    // Decoded, the sealed parts do not hold the digits either (as text or as a number's bytes).
    for (const part of row.pan_sealed.split('.').slice(1)) {
      const bytes = Buffer.from(part, 'base64url');
      expect(bytes.includes(Buffer.from(pan, 'utf8'))).toBe(false);
      expect(bytes.includes(Buffer.from(pan.slice(6, 12), 'utf8'))).toBe(false);
      expect(bytes.toString('latin1')).not.toMatch(/\d{8}/);
    }
    const rowText = Object.values(row)
      .map((value) => (value instanceof Date ? value.toISOString() : String(value)))
      .join('|');
    expect(rowText).not.toContain(pan);
    expect(rowText).not.toContain(pan.slice(6, 12));
    expect(Object.keys(row).join(',')).not.toMatch(/cvc|cvv/i);
  });

  it('seals with the card-vault key derived from the master key, bound to the token', async () => {
    const stored = await store(VISA);
    const row = await vaultRow(stored.token);
    const box = new SecretBox(context.deps.config.masterKey, 'card-vault');
    expect(box.decrypt(row.pan_sealed)).toBe(`${stored.token}:${VISA.pan}`);
    expect(() =>
      new SecretBox(context.deps.config.masterKey, 'shop-passwords').decrypt(row.pan_sealed),
    ).toThrow();
  });

  it('gives two stores of the same number different tokens and different sealed values', async () => {
    const first = await store(VISA);
    const second = await store(VISA);
    expect(second.token).not.toBe(first.token);
    expect(second.mask).toBe(first.mask);
    expect((await vaultRow(second.token)).pan_sealed).not.toBe((await vaultRow(first.token)).pan_sealed);
    expect((await readCardForAcquirer(context.deps.db, context.deps, first.token)).pan).toBe(VISA.pan);
    expect((await readCardForAcquirer(context.deps.db, context.deps, second.token)).pan).toBe(VISA.pan);
  });

  it('stores 12- and 19-digit numbers', async () => {
    for (const pan of ['123456789012', '6200000000000000005']) {
      const stored = await store({ ...VISA, pan, brand: 'unionpay' });
      expect(stored.mask).toBe(maskPan(pan));
      expect((await readCardForAcquirer(context.deps.db, context.deps, stored.token)).pan).toBe(pan);
    }
  });

  it('stores nothing when the transaction rolls back', async () => {
    let token = '';
    await expect(
      context.deps.db.transaction().execute(async (trx) => {
        token = (await storeCard(trx, context.deps, VISA)).token;
        throw new Error('the attempt failed');
      }),
    ).rejects.toThrow('the attempt failed');
    expect(token).toMatch(/^card_/);
    const found = await context.deps.db
      .selectFrom('card_vault')
      .select('token')
      .where('token', '=', token)
      .executeTakeFirst();
    expect(found).toBeUndefined();
  });

  it.each<[string, Partial<CardToStore>]>([
    ['a number with spaces', { pan: '4111 1111 1111 1111' }],
    ['a number too short', { pan: '41111111111' }],
    ['a number too long', { pan: '41111111111111111111' }],
    ['month 0', { expiryMonth: 0 }],
    ['month 13', { expiryMonth: 13 }],
    ['a two-digit year', { expiryYear: 28 }],
    ['no brand', { brand: ' ' }],
  ])('refuses %s, without repeating the number', async (_name, change) => {
    const card = { ...VISA, ...change };
    const error = await store(card).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(String(error)).not.toContain(card.pan);
    expect(String(error)).not.toContain(card.pan.replace(/ /g, ''));
  });
});

describe('reading a card back', () => {
  it('answers 404 card_not_found for an unknown token', async () => {
    await expectAppError(
      readCardForAcquirer(context.deps.db, context.deps, 'card_unknown'),
      'card_not_found',
      404,
    );
  });

  it('cannot open a card with another master key', async () => {
    const stored = await store(VISA);
    const otherKey = { config: { ...context.deps.config, masterKey: randomBytes(32) } };
    await expectAppError(
      readCardForAcquirer(context.deps.db, otherKey, stored.token),
      'card_unreadable',
      500,
    );
  });

  it('refuses a sealed number moved onto another card’s row', async () => {
    const mine = await store(VISA);
    const theirs = await store({ ...VISA, pan: '5555555555554444', brand: 'mastercard' });
    const theirSealed = (await vaultRow(theirs.token)).pan_sealed;
    await context.deps.db
      .updateTable('card_vault')
      .set({ pan_sealed: theirSealed })
      .where('token', '=', mine.token)
      .execute();
    await expectAppError(
      readCardForAcquirer(context.deps.db, context.deps, mine.token),
      'card_unreadable',
      500,
    );
  });

  it('refuses a row whose visible digits do not match the sealed number', async () => {
    const stored = await store(VISA);
    await context.deps.db
      .updateTable('card_vault')
      .set({ last4: '9999' })
      .where('token', '=', stored.token)
      .execute();
    await expectAppError(
      readCardForAcquirer(context.deps.db, context.deps, stored.token),
      'card_unreadable',
      500,
    );
  });

  it('refuses a tampered sealed value', async () => {
    const stored = await store(VISA);
    const sealed = (await vaultRow(stored.token)).pan_sealed;
    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[3] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    parts[3] = ciphertext.toString('base64url');
    await context.deps.db
      .updateTable('card_vault')
      .set({ pan_sealed: parts.join('.') })
      .where('token', '=', stored.token)
      .execute();
    await expectAppError(
      readCardForAcquirer(context.deps.db, context.deps, stored.token),
      'card_unreadable',
      500,
    );
  });
});
