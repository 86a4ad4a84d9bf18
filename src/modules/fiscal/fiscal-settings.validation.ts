/**
 * A shop's fiscal settings, checked field by field. Pure. A field left out keeps its stored value (the
 * password is never sent back, so leaving it out is how a form keeps it); null or '' clears it. With the
 * provider 'atol' every field is required; with 'none' the ATOL fields are kept for a later switch back.
 *
 * The base URL is the shop's: ATOL's production service by default, ATOL's test service, another
 * provider that speaks the protocol, or Kopek's own sandbox outside production. In production it must
 * be https and may not name a loopback or private address (Kopek calls it from inside its network); the
 * client's fetch checks the resolved address again at connection time.
 */
import type { FieldProblem } from '../../platform/http/errors.js';
import { isPrivateHost } from '../../platform/network.js';
import { bankDetailsProblems, isInn } from '../payouts/index.js';
import { isReceiptEmail, SNO_VALUES, type Sno } from './fiscal.receipt.js';
import type { FiscalProviderKind } from './fiscal.tables.js';

export const DEFAULT_ATOL_BASE_URL = 'https://online.atol.ru/possystem/v5/';
export const FISCAL_PROVIDERS: readonly FiscalProviderKind[] = ['none', 'atol'];

export interface FiscalSettingsInput {
  readonly provider: string;
  readonly baseUrl?: string | null | undefined;
  readonly login?: string | null | undefined;
  /** Absent or '': keep the stored password. */
  readonly password?: string | null | undefined;
  readonly groupCode?: string | null | undefined;
  readonly companyInn?: string | null | undefined;
  readonly paymentAddress?: string | null | undefined;
  readonly sno?: string | null | undefined;
  readonly companyEmail?: string | null | undefined;
}

/** The values stored now (null: never set), the password only as whether there is one. */
export interface StoredFiscalSettings {
  readonly baseUrl: string;
  readonly login: string | null;
  readonly hasPassword: boolean;
  readonly groupCode: string | null;
  readonly companyInn: string | null;
  readonly paymentAddress: string | null;
  readonly sno: Sno | null;
  readonly companyEmail: string | null;
}

export interface CheckedFiscalSettings {
  readonly provider: FiscalProviderKind;
  readonly baseUrl: string;
  readonly login: string | null;
  /** A new password to seal, or undefined to keep the stored one. */
  readonly newPassword: string | undefined;
  readonly groupCode: string | null;
  readonly companyInn: string | null;
  readonly paymentAddress: string | null;
  readonly sno: Sno | null;
  readonly companyEmail: string | null;
}

const problem = (code: string, ru: string, en: string): FieldProblem => ({ code, text: { ru, en } });

export const fiscalSettingsProblems = {
  required: problem('required', 'Заполните поле.', 'This field is required.'),
  invalidChoice: problem('invalid_choice', 'Выберите значение из списка.', 'Choose one of the options.'),
  baseUrl: problem(
    'invalid_url',
    'Адрес сервиса: http:// или https://, без логина и пароля в адресе.',
    'Service address: http:// or https://, with no user name or password in it.',
  ),
  baseUrlNotHttps: problem('https_required', 'Нужен адрес https://.', 'An https:// address is required.'),
  baseUrlPrivate: problem(
    'private_address',
    'Адрес во внутренней сети недоступен.',
    'Addresses in a private network are not allowed.',
  ),
  login: problem(
    'invalid_format',
    'Логин: до 100 символов, без пробелов.',
    'Login: up to 100 characters, no spaces.',
  ),
  password: problem('too_long', 'Пароль: до 100 символов.', 'Password: up to 100 characters.'),
  groupCode: problem(
    'invalid_format',
    'Код группы касс: до 100 латинских букв, цифр, «_», «-» и «.».',
    'Group code: up to 100 Latin letters, digits, "_", "-" and ".".',
  ),
  paymentAddress: problem(
    'invalid_length',
    'Место расчётов: от 1 до 256 символов (адрес сайта).',
    'Payment address: 1 to 256 characters (the site address).',
  ),
  companyEmail: problem(
    'invalid_email',
    'E-mail: адрес вида name@example.ru, до 64 символов.',
    'E-mail: an address like name@example.ru, up to 64 characters.',
  ),
} as const;

const ATOL_FIELDS = [
  'baseUrl',
  'login',
  'groupCode',
  'companyInn',
  'paymentAddress',
  'sno',
  'companyEmail',
] as const;

/** The value after the change: undefined keeps, null or '' clears (trimmed). */
function merged(value: string | null | undefined, stored: string | null): string | null {
  if (value === undefined) return stored;
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** The URL with a trailing slash (paths are resolved against it), or a problem. */
export function normaliseBaseUrl(text: string, isProduction: boolean): string | FieldProblem {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fiscalSettingsProblems.baseUrl;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '')
    return fiscalSettingsProblems.baseUrl;
  if (isProduction && url.protocol !== 'https:') return fiscalSettingsProblems.baseUrlNotHttps;
  if (isProduction && isPrivateHost(url.hostname)) return fiscalSettingsProblems.baseUrlPrivate;
  url.search = '';
  url.hash = '';
  const normalised = url.href.endsWith('/') ? url.href : `${url.href}/`;
  return normalised.length > 500 ? fiscalSettingsProblems.baseUrl : normalised;
}

function checkInn(inn: string | null): FieldProblem | undefined {
  if (inn === null) return undefined;
  if (!/^(\d{10}|\d{12})$/.test(inn)) return bankDetailsProblems.innFormat;
  return isInn(inn) ? undefined : bankDetailsProblems.innChecksum;
}

function checkValues(
  values: Record<(typeof ATOL_FIELDS)[number], string | null>,
  password: string | undefined,
) {
  const problems: Record<string, FieldProblem | undefined> = {
    login:
      values.login !== null && !/^\S{1,100}$/.test(values.login) ? fiscalSettingsProblems.login : undefined,
    password: password !== undefined && password.length > 100 ? fiscalSettingsProblems.password : undefined,
    groupCode:
      values.groupCode !== null && !/^[A-Za-z0-9_.-]{1,100}$/.test(values.groupCode)
        ? fiscalSettingsProblems.groupCode
        : undefined,
    companyInn: checkInn(values.companyInn),
    paymentAddress:
      values.paymentAddress !== null && [...values.paymentAddress].length > 256
        ? fiscalSettingsProblems.paymentAddress
        : undefined,
    sno:
      values.sno !== null && !(SNO_VALUES as readonly string[]).includes(values.sno)
        ? fiscalSettingsProblems.invalidChoice
        : undefined,
    companyEmail:
      values.companyEmail !== null && !isReceiptEmail(values.companyEmail)
        ? fiscalSettingsProblems.companyEmail
        : undefined,
  };
  return problems;
}

/** Every field's problem at once, or the settings to store. */
export function checkFiscalSettings(
  input: FiscalSettingsInput,
  stored: StoredFiscalSettings,
  isProduction: boolean,
): { ok: true; settings: CheckedFiscalSettings } | { ok: false; problems: Record<string, FieldProblem> } {
  const values = Object.fromEntries(
    ATOL_FIELDS.map((field) => [field, merged(input[field], stored[field])]),
  ) as Record<(typeof ATOL_FIELDS)[number], string | null>;
  const password =
    input.password === undefined || input.password === null || input.password === ''
      ? undefined
      : input.password;
  const problems = checkValues(values, password);
  const baseUrl = normaliseBaseUrl(values.baseUrl ?? DEFAULT_ATOL_BASE_URL, isProduction);
  if (typeof baseUrl !== 'string') problems.baseUrl = baseUrl;
  const isProviderKnown = (FISCAL_PROVIDERS as readonly string[]).includes(input.provider);
  if (!isProviderKnown) problems.provider = fiscalSettingsProblems.invalidChoice;
  if (input.provider === 'atol') {
    // An empty base URL means ATOL's production service, so it is never "missing".
    for (const field of ATOL_FIELDS)
      if (field !== 'baseUrl' && values[field] === null) problems[field] ??= fiscalSettingsProblems.required;
    if (password === undefined && !stored.hasPassword) problems.password = fiscalSettingsProblems.required;
  }
  const found = Object.entries(problems).filter(
    (entry): entry is [string, FieldProblem] => entry[1] !== undefined,
  );
  if (found.length > 0 || typeof baseUrl !== 'string')
    return { ok: false, problems: Object.fromEntries(found) };
  return {
    ok: true,
    settings: {
      provider: input.provider as FiscalProviderKind,
      baseUrl,
      login: values.login,
      newPassword: password,
      groupCode: values.groupCode,
      companyInn: values.companyInn,
      paymentAddress: values.paymentAddress,
      sno: values.sno as Sno | null,
      companyEmail: values.companyEmail,
    },
  };
}
