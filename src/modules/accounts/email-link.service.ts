/**
 * Single-use links sent by e-mail: registration confirmation, password reset, invitation.
 * Only the SHA-256 of a link's token is stored. Sending a new link of a purpose retires the older ones.
 */
import type { Transaction } from 'kysely';
import { consumeRateLimit } from '../../platform/http/rate-limit.js';
import { createSecretToken, hashToken } from '../../platform/crypto.js';
import type { Language } from '../../platform/i18n.js';
import { enqueueMail } from '../../platform/mail.js';
import type { Deps } from '../../deps.js';
import type { Database, EmailLinkPurpose } from '../../schema.js';
import { accountErrors } from './account.errors.js';
import { renderLinkMail } from './account.mail.js';
import { checkEmail, normalizeEmail } from './account.validation.js';

const HOUR_MS = 3_600_000;

export const LINK_LIFETIME_MS: Record<EmailLinkPurpose, number> = {
  confirm_registration: 24 * HOUR_MS,
  reset_password: HOUR_MS,
  accept_invitation: 72 * HOUR_MS,
};

export interface LinkRecipient {
  readonly userId: string;
  readonly email: string;
  readonly userLogin: string;
  readonly accountId: string | null;
  readonly accountLogin: string;
  readonly language: Language;
}

export async function sendEmailLink(
  trx: Transaction<Database>,
  deps: Pick<Deps, 'clock' | 'config'>,
  recipient: LinkRecipient,
  purpose: EmailLinkPurpose,
): Promise<void> {
  const now = deps.clock.now();
  await trx
    .updateTable('email_links')
    .set({ expires_at: now })
    .where('user_id', '=', recipient.userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  const token = createSecretToken();
  await trx
    .insertInto('email_links')
    .values({
      token_hash: hashToken(token),
      user_id: recipient.userId,
      purpose,
      expires_at: new Date(now.getTime() + LINK_LIFETIME_MS[purpose]),
      created_at: now,
    })
    .execute();
  const mail = renderLinkMail(purpose, recipient.language, {
    accountLogin: recipient.accountLogin,
    userLogin: recipient.userLogin,
    link: `${deps.config.publicUrl}/links/${token}`,
  });
  await enqueueMail(trx, deps.clock, {
    ...mail,
    to: recipient.email,
    accountId: recipient.accountId,
    kind: purpose,
  });
}

export interface ValidLink {
  readonly tokenHash: string;
  readonly purpose: EmailLinkPurpose;
  readonly userId: string;
  readonly email: string;
  readonly userLogin: string;
  readonly accountLogin: string | null;
}

/** Finds a usable link or throws the specific reason it cannot be used. */
export async function findUsableLink(
  executor: Deps['db'] | Transaction<Database>,
  now: Date,
  token: string,
  options: { lock?: boolean } = {},
): Promise<ValidLink> {
  let query = executor
    .selectFrom('email_links')
    .innerJoin('users', 'users.id', 'email_links.user_id')
    .leftJoin('accounts', 'accounts.id', 'users.account_id')
    .select([
      'email_links.token_hash',
      'email_links.purpose',
      'email_links.expires_at',
      'email_links.used_at',
      'users.id as user_id',
      'users.email',
      'users.login as user_login',
      'accounts.login as account_login',
    ])
    .where('email_links.token_hash', '=', hashToken(token));
  if (options.lock) query = query.forUpdate('email_links');
  const link = await query.executeTakeFirst();
  if (!link) throw accountErrors.linkNotFound();
  // The purpose tells the page which kind of new link to offer.
  if (link.used_at !== null) throw accountErrors.linkUsed({}, { purpose: link.purpose });
  if (link.expires_at.getTime() <= now.getTime())
    throw accountErrors.linkExpired({}, { purpose: link.purpose });
  return {
    tokenHash: link.token_hash,
    purpose: link.purpose,
    userId: link.user_id,
    email: link.email,
    userLogin: link.user_login,
    accountLogin: link.account_login,
  };
}

/** Who may ask for a new link of each purpose by typing an address. */
const MAY_REQUEST_BY_ADDRESS = {
  confirm_registration: (person: { role: string; status: string; account_status: string | null }) =>
    person.role === 'administrator' && person.account_status === 'awaiting_confirmation',
  reset_password: (person: { status: string }) => person.status === 'active',
} as const;

/**
 * Mails a new link when the address belongs to someone who may ask for it; silent otherwise, so the
 * answer never reveals who has an account. Rate-limited per IP. Returns the user id when a link was sent.
 */
export async function sendLinkByAddress(
  deps: Deps,
  emailInput: string,
  ip: string,
  purpose: keyof typeof MAY_REQUEST_BY_ADDRESS,
): Promise<{ userId: string; accountId: string | null } | undefined> {
  await consumeRateLimit(
    deps.db,
    deps.clock,
    { name: `link:${purpose}`, limit: 10, windowMs: 3_600_000 },
    ip,
  );
  const email = normalizeEmail(emailInput);
  if (checkEmail(email)) return undefined;
  return deps.db.transaction().execute(async (trx) => {
    const person = await trx
      .selectFrom('users')
      .leftJoin('accounts', 'accounts.id', 'users.account_id')
      .select([
        'users.id',
        'users.login',
        'users.email',
        'users.language',
        'users.role',
        'users.status',
        'users.account_id',
        'accounts.login as account_login',
        'accounts.status as account_status',
      ])
      .where((eb) => eb(eb.fn('lower', ['users.email']), '=', email))
      .forUpdate('users')
      .executeTakeFirst();
    if (!person || !MAY_REQUEST_BY_ADDRESS[purpose](person)) return undefined;
    const recipient: LinkRecipient = {
      userId: person.id,
      email: person.email,
      userLogin: person.login,
      accountId: person.account_id,
      accountLogin: person.account_login ?? 'Kopek',
      language: person.language,
    };
    await sendEmailLink(trx, deps, recipient, purpose);
    return { userId: person.id, accountId: person.account_id };
  });
}
