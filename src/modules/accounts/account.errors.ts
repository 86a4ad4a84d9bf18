/** Errors of the accounts module: stable codes and texts in every language. */
import { defineErrors, type FieldProblem } from '../../platform/http/errors.js';

export const accountErrors = defineErrors({
  invalidCredentials: {
    status: 401,
    ru: 'Неверный логин или пароль.',
    en: 'Wrong login or password.',
  },
  userLocked: {
    status: 423,
    ru: 'Слишком много неудачных попыток входа. Повторите после {retryAt} (UTC).',
    en: 'Too many failed sign-in attempts. Try again after {retryAt} (UTC).',
  },
  totpRequired: {
    status: 401,
    ru: 'Введите код из приложения-аутентификатора или резервный код.',
    en: 'Enter the code from your authenticator app or a recovery code.',
  },
  totpInvalid: {
    status: 401,
    ru: 'Код неверен или устарел. Попробуйте новый код.',
    en: 'The code is wrong or expired. Try a fresh code.',
  },
  emailNotConfirmed: {
    status: 403,
    ru: 'Адрес e-mail ещё не подтверждён: откройте ссылку из письма.',
    en: 'Your e-mail address is not confirmed yet: open the link we sent you.',
  },
  userDisabled: {
    status: 403,
    ru: 'Доступ этого пользователя отключён администратором аккаунта.',
    en: 'This user has been disabled by the account administrator.',
  },
  linkNotFound: {
    status: 404,
    ru: 'Ссылка не найдена. Проверьте, что она скопирована целиком, или запросите новую.',
    en: 'This link was not found. Check that it was copied whole, or ask for a new one.',
  },
  linkUsed: {
    status: 410,
    ru: 'Эта ссылка уже использована. Войдите в кабинет или запросите новую ссылку.',
    en: 'This link has already been used. Sign in, or ask for a new link.',
  },
  linkExpired: {
    status: 410,
    ru: 'Срок действия ссылки истёк. Запросите новую ссылку.',
    en: 'This link has expired. Ask for a new one.',
  },
  totpNotSetUp: {
    status: 409,
    ru: 'Сначала начните подключение двухфакторной аутентификации.',
    en: 'Start the two-factor setup first.',
  },
  totpAlreadyEnabled: {
    status: 409,
    ru: 'Двухфакторная аутентификация уже включена.',
    en: 'Two-factor authentication is already on.',
  },
  lastAdministrator: {
    status: 409,
    ru: 'В аккаунте должен остаться хотя бы один активный администратор.',
    en: 'The account must keep at least one active administrator.',
  },
  cannotChangeSelf: {
    status: 409,
    ru: 'Нельзя изменить собственную роль или отключить себя.',
    en: 'You cannot change your own role or disable yourself.',
  },
});

export type FieldProblems = Record<string, FieldProblem>;
