// Shapes the cabinet and back-office APIs answer with. Kept in one place so pages agree on them.

export type Language = 'ru' | 'en';
export type Role = 'administrator' | 'accountant' | 'developer' | 'viewer' | 'operator';
export type AccountRole = Exclude<Role, 'operator'>;
export type Permission =
  | 'shops.read'
  | 'shops.write'
  | 'shops.secrets'
  | 'shops.create'
  | 'employees.manage'
  | 'audit.read'
  | 'settings.manage'
  | 'operations.read'
  | 'operations.manage'
  | 'operations.refund'
  | 'balance.read'
  | 'balance.manage'
  | 'api_keys.manage'
  | 'backoffice'
  | 'backoffice.moderation'
  | 'backoffice.support'
  | 'backoffice.finance'
  | 'backoffice.broadcasts'
  | 'backoffice.staff'
  | 'backoffice.tariffs'
  | 'backoffice.methods';

export type StaffRole = 'administrator' | 'moderator' | 'support' | 'finance';

export type Country = 'RU' | 'KZ';
export type Currency = 'RUB' | 'KZT' | 'USD' | 'EUR';
export type DocumentFlow = 'edo' | 'paper';
export type LegalForm = 'legal_entity' | 'sole_proprietor' | 'individual';
export type AccountStatus = 'awaiting_confirmation' | 'active' | 'blocked';

export interface Me {
  user: {
    id: string;
    login: string;
    email: string;
    role: Role;
    /** The operator's people only. */
    staffRole?: StaffRole | null;
    language: Language;
    totpEnabled: boolean;
  };
  account: null | {
    id: string;
    login: string;
    status: AccountStatus;
    country: Country;
    currency: Currency;
    legalForm: LegalForm;
    documentFlow: DocumentFlow;
  };
  // Plain strings on the wire; checked against Permission by hasPermission.
  permissions: string[];
}

export type EmailLinkPurpose = 'confirm_registration' | 'reset_password' | 'accept_invitation';

export interface EmailLink {
  purpose: EmailLinkPurpose;
  email: string;
  userLogin: string;
  accountLogin: string;
}

export type EmployeeStatus = 'invited' | 'active' | 'disabled';

export interface Employee {
  id: string;
  login: string;
  email: string;
  role: AccountRole;
  status: EmployeeStatus;
  createdAt: string;
}

export type ShopStatus = 'test' | 'moderation' | 'active' | 'rejected';
export type HashAlgorithm = 'MD5' | 'RIPEMD160' | 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
export type HttpMethod = 'GET' | 'POST';

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = [
  'MD5',
  'RIPEMD160',
  'SHA1',
  'SHA256',
  'SHA384',
  'SHA512',
];
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST'];

export interface Shop {
  id: string;
  name: string;
  siteUrl: string;
  description: string;
  merchantLogin: string;
  status: ShopStatus;
  rejectionReason: string | null;
  hashAlgorithm: HashAlgorithm;
  resultUrl: string | null;
  resultMethod: HttpMethod;
  successUrl: string | null;
  successMethod: HttpMethod;
  failUrl: string | null;
  failMethod: HttpMethod;
  /** The buyer pays the fee on top of the amount, so the shop receives exactly OutSum. */
  isBuyerFee: boolean;
  /** Holds (StepByStep), switched on by the operator. */
  isHoldAllowed: boolean;
  createdAt: string;
}

export const SHOP_PASSWORD_NAMES = [
  'password1',
  'password2',
  'password3',
  'testPassword1',
  'testPassword2',
] as const;
export type ShopPasswordName = (typeof SHOP_PASSWORD_NAMES)[number];
export type ShopPasswords = Record<ShopPasswordName, string>;

export interface ModerationShop extends Shop {
  accountLogin: string;
  // Not in the documented contract; shown when the server sends it, otherwise createdAt is used.
  submittedAt?: string | null;
}

export interface ItemList<T> {
  items: T[];
}
