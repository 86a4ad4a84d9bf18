/**
 * Registration: one form creates an account awaiting e-mail confirmation, its administrator, and the
 * confirmation e-mail, all in one transaction. Any invalid field rejects the whole form: nothing is created.
 */
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps.js';
import { validationError, type FieldProblem } from '../../platform/http/errors.js';
import { isUniqueViolation } from '../../platform/db.js';
import { consumeRateLimit } from '../../platform/http/rate-limit.js';
import { createId } from '../../platform/ids.js';
import type { Language } from '../../platform/i18n.js';
import type { Database } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { checkEmail, checkLogin, normalizeEmail } from './account.validation.js';
import { sendEmailLink, sendLinkByAddress } from './email-link.service.js';

export const COUNTRY_CURRENCY = { RU: 'RUB', KZ: 'KZT' } as const;
export type Country = keyof typeof COUNTRY_CURRENCY;
const CURRENCIES = ['RUB', 'KZT', 'USD', 'EUR'] as const;
const DOCUMENT_FLOWS = ['edo', 'paper'] as const;
const LEGAL_FORMS = ['legal_entity', 'sole_proprietor', 'individual'] as const;

export const REGISTRATION_RATE_LIMIT = { name: 'registration', limit: 10, windowMs: 3_600_000 };

export interface RegistrationInput {
  readonly country: string;
  readonly currency: string;
  readonly documentFlow: string;
  readonly legalForm: string;
  readonly accountLogin: string;
  readonly adminLogin: string;
  readonly email: string;
  readonly promoCode?: string | undefined;
  readonly requirementsAccepted: boolean;
  readonly language: Language;
}

const chooseOne: FieldProblem = {
  code: 'invalid_choice',
  text: { ru: 'Выберите значение из списка.', en: 'Choose one of the options.' },
};

function oneOf<T extends string>(options: readonly T[], value: string): value is T {
  return (options as readonly string[]).includes(value);
}

/** Checks everything that needs no database: the shape of each field. */
export function checkRegistrationForm(input: RegistrationInput): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem | undefined> = {
    country: oneOf(Object.keys(COUNTRY_CURRENCY), input.country) ? undefined : chooseOne,
    currency: oneOf(CURRENCIES, input.currency) ? undefined : chooseOne,
    documentFlow: oneOf(DOCUMENT_FLOWS, input.documentFlow) ? undefined : chooseOne,
    legalForm: oneOf(LEGAL_FORMS, input.legalForm) ? undefined : chooseOne,
    accountLogin: checkLogin(input.accountLogin),
    adminLogin: checkLogin(input.adminLogin),
    email: checkEmail(input.email),
    requirementsAccepted: input.requirementsAccepted
      ? undefined
      : {
          code: 'requirements_not_accepted',
          text: {
            ru: 'Подтвердите, что ознакомились с требованиями к сайту.',
            en: 'Confirm that you have read the site requirements.',
          },
        },
  };
  return Object.fromEntries(
    Object.entries(problems).filter((entry): entry is [string, FieldProblem] => !!entry[1]),
  );
}

const loginTaken: FieldProblem = {
  code: 'login_taken',
  text: { ru: 'Этот логин уже занят. Выберите другой.', en: 'This login is taken. Choose another.' },
};
const emailTaken: FieldProblem = {
  code: 'email_taken',
  text: {
    ru: 'Этот e-mail уже зарегистрирован. Войдите или восстановите пароль.',
    en: 'This e-mail is already registered. Sign in or reset your password.',
  },
};

async function checkPromoCode(
  trx: Transaction<Database>,
  now: Date,
  code: string,
): Promise<FieldProblem | undefined> {
  // The row stays locked to the end of the registration, so two people cannot both take a code's last use.
  const promo = await trx
    .selectFrom('promo_codes')
    .select(['valid_until', 'usage_limit', 'deactivated_at'])
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
  if (!promo) {
    return {
      code: 'promo_unknown',
      text: { ru: 'Такого промокода нет.', en: 'There is no such promo code.' },
    };
  }
  if (promo.deactivated_at !== null) {
    return {
      code: 'promo_inactive',
      text: { ru: 'Этот промокод больше не действует.', en: 'This promo code is no longer active.' },
    };
  }
  if (promo.valid_until !== null && promo.valid_until.getTime() <= now.getTime()) {
    return {
      code: 'promo_expired',
      text: { ru: 'Срок действия промокода истёк.', en: 'This promo code has expired.' },
    };
  }
  if (promo.usage_limit !== null && (await countPromoUses(trx, code)) >= promo.usage_limit) {
    return {
      code: 'promo_exhausted',
      text: {
        ru: 'Этот промокод уже использовали максимальное число раз.',
        en: 'This promo code has been used the maximum number of times.',
      },
    };
  }
  return undefined;
}

async function countPromoUses(trx: Transaction<Database>, code: string): Promise<number> {
  const row = await trx
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('promo_code', '=', code)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function checkAvailability(
  trx: Transaction<Database>,
  now: Date,
  input: RegistrationInput,
  email: string,
  promoCode: string | undefined,
): Promise<Record<string, FieldProblem>> {
  const problems: Record<string, FieldProblem> = {};
  const account = await trx
    .selectFrom('accounts')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['login']), '=', input.accountLogin.toLowerCase()))
    .executeTakeFirst();
  if (account) problems.accountLogin = loginTaken;
  const user = await trx
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
    .executeTakeFirst();
  if (user) problems.email = emailTaken;
  if (promoCode !== undefined) {
    const promoProblem = await checkPromoCode(trx, now, promoCode);
    if (promoProblem) problems.promoCode = promoProblem;
  }
  return problems;
}

export async function registerAccount(
  deps: Deps,
  input: RegistrationInput,
  ip: string,
): Promise<{ accountId: string; email: string }> {
  await consumeRateLimit(deps.db, deps.clock, REGISTRATION_RATE_LIMIT, ip);
  // Logins are case-insensitive: they are kept in lower case, so "MyShop" and "myshop" are one login.
  input = {
    ...input,
    accountLogin: input.accountLogin.trim().toLowerCase(),
    adminLogin: input.adminLogin.trim().toLowerCase(),
  };
  const formProblems = checkRegistrationForm(input);
  if (Object.keys(formProblems).length > 0) throw validationError(formProblems);
  const email = normalizeEmail(input.email);
  const promoCode = input.promoCode?.trim() ? input.promoCode.trim().toUpperCase() : undefined;
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      const problems = await checkAvailability(trx, now, input, email, promoCode);
      if (Object.keys(problems).length > 0) throw validationError(problems);
      const accountId = createId('acc');
      const userId = createId('usr');
      await trx
        .insertInto('accounts')
        .values({
          id: accountId,
          login: input.accountLogin,
          country: input.country as Country,
          currency: input.currency as (typeof CURRENCIES)[number],
          document_flow: input.documentFlow as (typeof DOCUMENT_FLOWS)[number],
          legal_form: input.legalForm as (typeof LEGAL_FORMS)[number],
          status: 'awaiting_confirmation',
          promo_code: promoCode ?? null,
          language: input.language,
          created_at: now,
        })
        .execute();
      await trx
        .insertInto('users')
        .values({
          id: userId,
          account_id: accountId,
          login: input.adminLogin,
          email,
          role: 'administrator',
          status: 'invited',
          language: input.language,
          created_at: now,
        })
        .execute();
      await recordAudit(trx, deps.clock, {
        accountId,
        actorUserId: userId,
        action: 'account.registered',
        ip,
      });
      await sendEmailLink(
        trx,
        deps,
        {
          userId,
          email,
          userLogin: input.adminLogin,
          accountId,
          accountLogin: input.accountLogin,
          language: input.language,
        },
        'confirm_registration',
      );
      return { accountId, email };
    });
  } catch (error) {
    // Two people racing for the same login: the unique index decides, and the loser gets a field error.
    if (isUniqueViolation(error, 'accounts_login_key')) throw validationError({ accountLogin: loginTaken });
    if (isUniqueViolation(error, 'users_email_key')) throw validationError({ email: emailTaken });
    throw error;
  }
}

/** Sends a fresh confirmation link. Silent when the address is unknown or confirmed: it must not reveal who exists. */
export async function resendConfirmation(deps: Deps, email: string, ip: string): Promise<void> {
  await sendLinkByAddress(deps, email, ip, 'confirm_registration');
}
