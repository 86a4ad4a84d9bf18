/**
 * Sign-in and sessions. A session id is a random token in an HttpOnly cookie; only its hash is stored.
 * Failed sign-ins are counted per user: every fifth in a row locks the user for 15 minutes, and each
 * failure answers after a pause that grows with the count. Sign-ins per IP are rate-limited too.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { createSecretToken, hashToken, SecretBox } from '../../platform/crypto.js';
import { consumeRateLimit } from '../../platform/http/rate-limit.js';
import type { Database, Role, StaffRole } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { accountErrors } from './account.errors.js';
import { normalizeEmail } from './account.validation.js';
import { verifyAgainstDummy, verifyPassword } from './password.js';
import { hashRecoveryCode, isFreshTotpStep, matchTotpStep } from './totp.js';

export const SESSION_IDLE_MS = 12 * 3_600_000;
export const SESSION_MAX_AGE_MS = 30 * 24 * 3_600_000;
export const FAILURES_BEFORE_LOCK = 5;
export const LOCK_DURATION_MS = 15 * 60_000;
export const SIGN_IN_RATE_LIMIT = { name: 'sign-in', limit: 60, windowMs: 15 * 60_000 };

export interface SignInInput {
  readonly email?: string | undefined;
  readonly accountLogin?: string | undefined;
  readonly userLogin?: string | undefined;
  readonly password: string;
  readonly totpCode?: string | undefined;
}

export interface RequestMeta {
  readonly ip: string;
  readonly userAgent: string | undefined;
}

export interface NewSession {
  readonly token: string;
  readonly userId: string;
}

export function totpSecretBox(masterKey: Buffer): SecretBox {
  return new SecretBox(masterKey, 'totp');
}

interface CandidateUser {
  id: string;
  account_id: string | null;
  status: 'invited' | 'active' | 'disabled';
  role: Role;
  password_hash: string | null;
  failed_sign_ins: number;
  locked_until: Date | null;
  totp_secret_sealed: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: bigint | null;
  account_status: string | null;
}

async function findSignInCandidate(
  trx: Transaction<Database>,
  input: SignInInput,
): Promise<CandidateUser | undefined> {
  let query = trx
    .selectFrom('users')
    .leftJoin('accounts', 'accounts.id', 'users.account_id')
    .select([
      'users.id',
      'users.account_id',
      'users.status',
      'users.role',
      'users.password_hash',
      'users.failed_sign_ins',
      'users.locked_until',
      'users.totp_secret_sealed',
      'users.totp_enabled_at',
      'users.totp_last_step',
      'accounts.status as account_status',
    ])
    .forUpdate('users');
  if (input.email) {
    query = query.where((eb) => eb(eb.fn('lower', ['users.email']), '=', normalizeEmail(input.email ?? '')));
  } else if (input.accountLogin && input.userLogin) {
    query = query
      .where((eb) => eb(eb.fn('lower', ['accounts.login']), '=', input.accountLogin?.toLowerCase() ?? ''))
      .where((eb) => eb(eb.fn('lower', ['users.login']), '=', input.userLogin?.toLowerCase() ?? ''));
  } else {
    return undefined;
  }
  return query.executeTakeFirst();
}

async function recordFailure(
  trx: Transaction<Database>,
  deps: Deps,
  user: CandidateUser,
  meta: RequestMeta,
  reason: string,
): Promise<number> {
  const failures = user.failed_sign_ins + 1;
  const locks = failures % FAILURES_BEFORE_LOCK === 0;
  const lockedUntil = locks ? new Date(deps.clock.now().getTime() + LOCK_DURATION_MS) : user.locked_until;
  await trx
    .updateTable('users')
    .set({ failed_sign_ins: failures, locked_until: lockedUntil })
    .where('id', '=', user.id)
    .execute();
  await recordAudit(trx, deps.clock, {
    accountId: user.account_id,
    actorUserId: user.id,
    action: locks ? 'user.locked' : 'user.sign_in_failed',
    details: { reason, failures },
    ip: meta.ip,
  });
  return failures;
}

/** Checks the second factor: a TOTP code, or an unused recovery code (which is then spent). */
async function checkSecondFactor(
  trx: Transaction<Database>,
  deps: Deps,
  user: CandidateUser,
  code: string,
): Promise<boolean> {
  if (!user.totp_secret_sealed) return false;
  const secret = totpSecretBox(deps.config.masterKey).decrypt(user.totp_secret_sealed);
  const step = matchTotpStep(secret, code, deps.clock.now());
  if (isFreshTotpStep(step, user.totp_last_step)) {
    await trx.updateTable('users').set({ totp_last_step: step }).where('id', '=', user.id).execute();
    return true;
  }
  const spent = await trx
    .updateTable('recovery_codes')
    .set({ used_at: deps.clock.now() })
    .where('user_id', '=', user.id)
    .where('code_hash', '=', hashRecoveryCode(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return spent.numUpdatedRows > 0n;
}

async function pauseAfterFailure(deps: Deps, failures: number): Promise<void> {
  const delayMs = Math.min(failures, 10) * deps.signInFailureDelayMs;
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
}

export async function createSession(
  trx: Transaction<Database>,
  deps: Pick<Deps, 'clock'>,
  userId: string,
  meta: RequestMeta,
): Promise<NewSession> {
  const token = createSecretToken();
  const now = deps.clock.now();
  await trx
    .insertInto('sessions')
    .values({
      id_hash: hashToken(token),
      user_id: userId,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 500) ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + SESSION_IDLE_MS),
    })
    .execute();
  return { token, userId };
}

type SignInOutcome = { session: NewSession } | { error: Error; failures: number };

async function attemptSignIn(
  trx: Transaction<Database>,
  deps: Deps,
  input: SignInInput,
  meta: RequestMeta,
): Promise<SignInOutcome> {
  const user = await findSignInCandidate(trx, input);
  const now = deps.clock.now();
  if (!user || user.password_hash === null) {
    await verifyAgainstDummy(input.password);
    return { error: accountErrors.invalidCredentials(), failures: 1 };
  }
  if (user.locked_until && user.locked_until.getTime() > now.getTime()) {
    const retryAt = user.locked_until.toISOString();
    return {
      error: accountErrors.userLocked({ retryAt: retryAt.slice(0, 16).replace('T', ' ') }, { retryAt }),
      failures: 0,
    };
  }
  if (!(await verifyPassword(user.password_hash, input.password))) {
    const failures = await recordFailure(trx, deps, user, meta, 'password');
    return { error: accountErrors.invalidCredentials(), failures };
  }
  if (user.status === 'disabled') return { error: accountErrors.userDisabled(), failures: 0 };
  if (user.status === 'invited' || user.account_status === 'awaiting_confirmation') {
    return { error: accountErrors.emailNotConfirmed(), failures: 0 };
  }
  if (user.totp_enabled_at) {
    if (!input.totpCode) return { error: accountErrors.totpRequired(), failures: 0 };
    if (!(await checkSecondFactor(trx, deps, user, input.totpCode))) {
      const failures = await recordFailure(trx, deps, user, meta, 'totp');
      return { error: accountErrors.totpInvalid(), failures };
    }
  }
  await trx
    .updateTable('users')
    .set({ failed_sign_ins: 0, locked_until: null })
    .where('id', '=', user.id)
    .execute();
  await recordAudit(trx, deps.clock, {
    accountId: user.account_id,
    actorUserId: user.id,
    action: 'user.signed_in',
    ip: meta.ip,
  });
  return { session: await createSession(trx, deps, user.id, meta) };
}

export async function signIn(deps: Deps, input: SignInInput, meta: RequestMeta): Promise<NewSession> {
  await consumeRateLimit(deps.db, deps.clock, SIGN_IN_RATE_LIMIT, meta.ip);
  // The failure counter must be committed even though the sign-in fails, so the outcome is returned
  // from the transaction rather than thrown inside it.
  const outcome = await deps.db.transaction().execute((trx) => attemptSignIn(trx, deps, input, meta));
  if ('error' in outcome) {
    await pauseAfterFailure(deps, outcome.failures);
    throw outcome.error;
  }
  return outcome.session;
}

export interface SessionUser {
  readonly sessionIdHash: string;
  readonly userId: string;
  readonly accountId: string | null;
  readonly role: Role;
  /** The operator's people only. */
  readonly staffRole: StaffRole | null;
}

/** Resolves a session cookie to its user, sliding the idle expiry; undefined when signed out or expired. */
export async function findSessionUser(
  deps: Pick<Deps, 'db' | 'clock'>,
  token: string,
): Promise<SessionUser | undefined> {
  const now = deps.clock.now();
  const idHash = hashToken(token);
  const session = await deps.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('accounts', 'accounts.id', 'users.account_id')
    .select([
      'sessions.id_hash',
      'sessions.created_at',
      'sessions.last_seen_at',
      'users.id',
      'users.account_id',
      'users.role',
      'users.staff_role',
    ])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where('users.status', '=', 'active')
    .where((eb) => eb.or([eb('accounts.status', 'is', null), eb('accounts.status', '=', 'active')]))
    .executeTakeFirst();
  if (!session) return undefined;
  if (now.getTime() - session.created_at.getTime() > SESSION_MAX_AGE_MS) return undefined;
  // Writing on every request would turn reads into writes; a minute of precision is enough.
  if (now.getTime() - session.last_seen_at.getTime() > 60_000) {
    await deps.db
      .updateTable('sessions')
      .set({ last_seen_at: now, expires_at: new Date(now.getTime() + SESSION_IDLE_MS) })
      .where('id_hash', '=', idHash)
      .execute();
  }
  return {
    sessionIdHash: session.id_hash,
    userId: session.id,
    accountId: session.account_id,
    role: session.role,
    staffRole: session.staff_role,
  };
}

export async function signOut(
  deps: Pick<Deps, 'db' | 'clock'>,
  user: SessionUser,
  meta: RequestMeta,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sessions')
      .set({ revoked_at: deps.clock.now() })
      .where('id_hash', '=', user.sessionIdHash)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: user.accountId,
      actorUserId: user.userId,
      action: 'user.signed_out',
      ip: meta.ip,
    });
  });
}

export async function signOutEverywhere(
  deps: Pick<Deps, 'db' | 'clock'>,
  user: SessionUser,
  meta: RequestMeta,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await revokeAllSessions(trx, deps.clock.now(), user.userId);
    await recordAudit(trx, deps.clock, {
      accountId: user.accountId,
      actorUserId: user.userId,
      action: 'user.signed_out_everywhere',
      ip: meta.ip,
    });
  });
}

export async function revokeAllSessions(
  executor: Deps['db'] | Transaction<Database>,
  now: Date,
  userId: string,
): Promise<void> {
  await executor
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Housekeeping: sessions and e-mailed links long past any use. */
export async function deleteStaleSessionsAndLinks(executor: Deps['db'], before: Date): Promise<void> {
  await executor.deleteFrom('sessions').where('expires_at', '<', before).execute();
  await executor.deleteFrom('email_links').where('expires_at', '<', before).execute();
}
