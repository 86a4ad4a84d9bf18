/**
 * Passwords and second factors: completing an e-mailed link (confirm, reset, invitation), password reset
 * requests, password change, TOTP setup with recovery codes. Passwords are hashed before a transaction
 * opens, so no row stays locked while argon2 works.
 */
import QRCode from 'qrcode';
import type { Deps } from '../../deps.js';
import { validationError } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/index.js';
import { accountErrors } from './account.errors.js';
import { checkNewPassword, required } from './account.validation.js';
import { findUsableLink, sendLinkByAddress } from './email-link.service.js';
import { hashPassword, verifyPassword } from './password.js';
import {
  createSession,
  revokeAllSessions,
  totpSecretBox,
  type NewSession,
  type RequestMeta,
} from './session.service.js';
import { createRecoveryCodes, createTotpSecret, hashRecoveryCode, matchTotpStep, totpUri } from './totp.js';

export async function describeEmailLink(deps: Deps, token: string) {
  const link = await findUsableLink(deps.db, deps.clock.now(), token);
  return {
    purpose: link.purpose,
    email: link.email,
    userLogin: link.userLogin,
    accountLogin: link.accountLogin,
  };
}

/** Sets the password from a link; confirms the e-mail (and the account, at registration); signs in. */
export async function completeEmailLink(
  deps: Deps,
  token: string,
  password: string,
  meta: RequestMeta,
): Promise<NewSession> {
  const preview = await findUsableLink(deps.db, deps.clock.now(), token);
  const problem = checkNewPassword(password, [
    preview.userLogin,
    preview.email.split('@')[0] ?? '',
    preview.accountLogin ?? '',
  ]);
  if (problem) throw validationError({ password: problem });
  const passwordHash = await hashPassword(password);
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const link = await findUsableLink(trx, now, token, { lock: true });
    await trx
      .updateTable('email_links')
      .set({ used_at: now })
      .where('token_hash', '=', link.tokenHash)
      .execute();
    const user = await trx
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        status: 'active',
        password_changed_at: now,
        failed_sign_ins: 0,
        locked_until: null,
      })
      .where('id', '=', link.userId)
      .where('status', '!=', 'disabled')
      .returning(['id', 'account_id'])
      .executeTakeFirst();
    if (!user) throw accountErrors.userDisabled();
    if (link.purpose === 'confirm_registration' && user.account_id) {
      await trx
        .updateTable('accounts')
        .set({ status: 'active', confirmed_at: now })
        .where('id', '=', user.account_id)
        .where('status', '=', 'awaiting_confirmation')
        .execute();
    }
    // A reset means the old password may be known to someone else: every old session ends.
    await revokeAllSessions(trx, now, user.id);
    await recordAudit(trx, deps.clock, {
      accountId: user.account_id,
      actorUserId: user.id,
      action: `user.${link.purpose}`,
      ip: meta.ip,
    });
    return createSession(trx, deps, user.id, meta);
  });
}

/** Sends a reset link when the address belongs to an active user; silent otherwise. */
export async function requestPasswordReset(deps: Deps, email: string, ip: string): Promise<void> {
  const sent = await sendLinkByAddress(deps, email, ip, 'reset_password');
  if (sent) {
    await recordAudit(deps.db, deps.clock, {
      accountId: sent.accountId,
      actorUserId: sent.userId,
      action: 'user.password_reset_requested',
      ip,
    });
  }
}

async function loadUserSecrets(deps: Deps, userId: string) {
  return deps.db
    .selectFrom('users')
    .select(['id', 'account_id', 'login', 'email', 'password_hash', 'totp_secret_sealed', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** Re-checks the signed-in user's password before a sensitive action; a wrong one is a field error. */
export async function confirmOwnPassword(
  deps: Deps,
  userId: string,
  password: string,
  field = 'password',
): Promise<void> {
  const user = await loadUserSecrets(deps, userId);
  if (!password) throw validationError({ [field]: required });
  if (!user.password_hash || !(await verifyPassword(user.password_hash, password))) {
    throw validationError({
      [field]: { code: 'wrong_password', text: { ru: 'Неверный пароль.', en: 'Wrong password.' } },
    });
  }
}

/** Changes the password and ends every other session: whoever knew the old password is signed out. */
export async function changePassword(
  deps: Deps,
  userId: string,
  currentSessionIdHash: string,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  await confirmOwnPassword(deps, userId, input.currentPassword, 'currentPassword');
  const user = await loadUserSecrets(deps, userId);
  const problem = checkNewPassword(input.newPassword, [user.login, user.email.split('@')[0] ?? '']);
  if (problem) throw validationError({ newPassword: problem });
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: deps.clock.now() })
      .where('id', '=', userId)
      .execute();
    await trx
      .updateTable('sessions')
      .set({ revoked_at: deps.clock.now() })
      .where('user_id', '=', userId)
      .where('id_hash', '!=', currentSessionIdHash)
      .where('revoked_at', 'is', null)
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: user.account_id,
      actorUserId: userId,
      action: 'user.password_changed',
      ip: meta.ip,
    });
  });
}

export async function startTotpSetup(deps: Deps, userId: string) {
  const user = await loadUserSecrets(deps, userId);
  if (user.totp_enabled_at) throw accountErrors.totpAlreadyEnabled();
  const secret = createTotpSecret();
  await deps.db
    .updateTable('users')
    .set({ totp_secret_sealed: totpSecretBox(deps.config.masterKey).encrypt(secret) })
    .where('id', '=', userId)
    .execute();
  const otpauthUri = totpUri(secret, user.email);
  const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', margin: 1, width: 200 });
  return { secret, otpauthUri, qrSvg };
}

export async function enableTotp(
  deps: Deps,
  userId: string,
  code: string,
  meta: RequestMeta,
): Promise<string[]> {
  const user = await loadUserSecrets(deps, userId);
  if (user.totp_enabled_at) throw accountErrors.totpAlreadyEnabled();
  if (!user.totp_secret_sealed) throw accountErrors.totpNotSetUp();
  const secret = totpSecretBox(deps.config.masterKey).decrypt(user.totp_secret_sealed);
  const step = matchTotpStep(secret, code, deps.clock.now());
  if (step === undefined) {
    throw validationError({
      code: {
        code: 'totp_invalid',
        text: { ru: 'Код неверен или устарел.', en: 'The code is wrong or expired.' },
      },
    });
  }
  const recoveryCodes = createRecoveryCodes();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_enabled_at: deps.clock.now() })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await trx
      .insertInto('recovery_codes')
      .values(
        recoveryCodes.map((recoveryCode) => ({
          user_id: userId,
          code_hash: hashRecoveryCode(recoveryCode),
          used_at: null,
        })),
      )
      .execute();
    await recordAudit(trx, deps.clock, {
      accountId: user.account_id,
      actorUserId: userId,
      action: 'user.totp_enabled',
      ip: meta.ip,
    });
  });
  return recoveryCodes;
}

export async function disableTotp(
  deps: Deps,
  userId: string,
  password: string,
  meta: RequestMeta,
): Promise<void> {
  await confirmOwnPassword(deps, userId, password);
  const user = await loadUserSecrets(deps, userId);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_enabled_at: null, totp_secret_sealed: null })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await recordAudit(trx, deps.clock, {
      accountId: user.account_id,
      actorUserId: userId,
      action: 'user.totp_disabled',
      ip: meta.ip,
    });
  });
}
