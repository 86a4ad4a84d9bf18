/**
 * Kopek's key for signing notifications (ResultUrl2, reference §2.1): an RSA key pair (RS256), made once
 * per installation on first use and kept in notification_signing_keys, the private key sealed with the
 * master key (SecretBox, purpose 'notification-signing-key'). Merchants verify with the public key,
 * published as a JWK Set at JWKS_PATH; each JWS names its key by `kid` (the RFC 7638 thumbprint), so a
 * future rotation only adds a key to the set.
 *
 * Robokassa signs Result2 with its own certificate (jwtsign.cer); a merchant moving to Kopek verifies with
 * Kopek's key from the JWKS instead. The JWS header keeps Robokassa's `{"typ":"JWT","alg":"RS256"}` and
 * adds the kid.
 */
import type { FastifyInstance } from 'fastify';
import {
  calculateJwkThumbprint,
  CompactSign,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { Kysely, Transaction } from 'kysely';
import { SecretBox } from '../../platform/crypto.js';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../schema.js';
import { enqueueNotification, type NotificationKind } from './notification.service.js';

export const JWKS_PATH = '/.well-known/jwks.json';
export const NOTIFICATION_SIGNING_ALGORITHM = 'RS256';
const SEALING_PURPOSE = 'notification-signing-key';
const RSA_MODULUS_BITS = 2048;

type SigningKeysTable = {
  kid: string;
  algorithm: string;
  /** Written as JSON text, read as the object (jsonb). */
  public_jwk: unknown;
  private_key_sealed: string;
  created_at: Date;
  retired_at: Date | null;
};
type SigningTables = { notification_signing_keys: SigningKeysTable };
/** A Kysely instance or a transaction (a Transaction is a Kysely). */
type SigningExecutor = Kysely<Database>;

function withSigningTables(executor: SigningExecutor): Kysely<Database & SigningTables> {
  return executor.withTables<SigningTables>();
}

export interface SigningContext {
  readonly masterKey: Buffer;
  readonly clock: Clock;
}

interface ActiveKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

/**
 * Imported private keys by kid. A key never changes once stored, so the cache can only save work (the
 * decryption and the import), never serve a stale key; every node reads the same rows.
 */
const importedKeys = new Map<string, Promise<CryptoKey>>();

async function createKeyRow(context: SigningContext) {
  const { privateKey, publicKey } = await generateKeyPair(NOTIFICATION_SIGNING_ALGORITHM, {
    modulusLength: RSA_MODULUS_BITS,
    extractable: true,
  });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const publicJwk: JWK = { ...jwk, kid, alg: NOTIFICATION_SIGNING_ALGORITHM, use: 'sig' };
  return {
    kid,
    algorithm: NOTIFICATION_SIGNING_ALGORITHM,
    public_jwk: JSON.stringify(publicJwk),
    private_key_sealed: new SecretBox(context.masterKey, SEALING_PURPOSE).encrypt(
      await exportPKCS8(privateKey),
    ),
    created_at: context.clock.now(),
  };
}

/**
 * The active key, made on first use. Two nodes making it at once both insert; the unique index on the
 * active key lets one row in and the other insert does nothing, and both then read the winner.
 */
async function findOrCreateActiveKey(executor: SigningExecutor, context: SigningContext) {
  const db = withSigningTables(executor);
  const readActive = () =>
    db.selectFrom('notification_signing_keys').selectAll().where('retired_at', 'is', null).executeTakeFirst();
  const existing = await readActive();
  if (existing) return existing;
  await db
    .insertInto('notification_signing_keys')
    .values(await createKeyRow(context))
    .onConflict((conflict) => conflict.doNothing())
    .execute();
  const created = await readActive();
  if (!created) throw new Error('notification signing key: none active after creating one');
  return created;
}

async function loadActiveKey(executor: SigningExecutor, context: SigningContext): Promise<ActiveKey> {
  const row = await findOrCreateActiveKey(executor, context);
  let imported = importedKeys.get(row.kid);
  if (!imported) {
    const pem = new SecretBox(context.masterKey, SEALING_PURPOSE).decrypt(row.private_key_sealed);
    imported = importPKCS8(pem, NOTIFICATION_SIGNING_ALGORITHM);
    importedKeys.set(row.kid, imported);
    imported.catch(() => importedKeys.delete(row.kid));
  }
  return { kid: row.kid, privateKey: await imported };
}

/** A compact JWS of the payload (JSON), signed with the active key: `{"typ":"JWT","alg":"RS256","kid":…}`. */
export async function signNotificationPayload(
  executor: SigningExecutor,
  context: SigningContext,
  payload: unknown,
): Promise<string> {
  const key = await loadActiveKey(executor, context);
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ typ: 'JWT', alg: NOTIFICATION_SIGNING_ALGORITHM, kid: key.kid })
    .sign(key.privateKey);
}

/**
 * The body is the bare compact JWS. Robokassa does not document its content type; text/plain is what
 * merchants' frameworks hand over as raw text without a parser of their own (a JSON type would make many
 * of them try to parse the token and fail).
 */
export const JWS_CONTENT_TYPE = 'text/plain; charset=utf-8';

export interface NewSignedNotification {
  readonly accountId: string;
  readonly subjectId: string;
  readonly kind: NotificationKind;
  readonly url: string;
  /** Signed as JSON. */
  readonly payload: unknown;
  /** Attempts in all, the first included (ResultUrl2: 1 + 5 redeliveries). */
  readonly maxAttempts: number;
}

/**
 * Signs the payload now (a retry resends the same JWS) and enqueues it in the caller's transaction, like
 * any notification: POSTed as the body, acknowledged by any 2xx answer.
 */
export async function enqueueSignedNotification(
  trx: Transaction<Database>,
  context: SigningContext,
  notification: NewSignedNotification,
): Promise<string> {
  const jws = await signNotificationPayload(trx, context, notification.payload);
  return enqueueNotification(trx, context.clock, {
    accountId: notification.accountId,
    subjectId: notification.subjectId,
    kind: notification.kind,
    url: notification.url,
    method: 'POST',
    fields: [],
    expectedBody: null,
    rawBody: { text: jws, contentType: JWS_CONTENT_TYPE },
    maxAttempts: notification.maxAttempts,
  });
}

/** The JWK Set merchants verify with: every key Kopek has signed with, the active one first. */
export async function readPublicKeySet(
  db: Kysely<Database>,
  context: SigningContext,
): Promise<{ keys: JWK[] }> {
  await findOrCreateActiveKey(db, context);
  const rows = await withSigningTables(db)
    .selectFrom('notification_signing_keys')
    .select(['public_jwk', 'retired_at'])
    .orderBy('retired_at', (order) => order.desc().nullsFirst())
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
  return { keys: rows.map((row) => row.public_jwk as JWK) };
}

/** GET /.well-known/jwks.json: public, cacheable for a few minutes (a new key is added before it signs). */
export function registerSigningKeyRoutes(
  app: FastifyInstance,
  deps: {
    readonly db: Kysely<Database>;
    readonly config: { readonly masterKey: Buffer };
    readonly clock: Clock;
  },
): void {
  app.get(JWKS_PATH, async (_request, reply) => {
    const keySet = await readPublicKeySet(deps.db, { masterKey: deps.config.masterKey, clock: deps.clock });
    return reply
      .header('cache-control', 'public, max-age=300')
      .type('application/jwk-set+json; charset=utf-8')
      .send(JSON.stringify(keySet));
  });
}
