/**
 * Roles and what each may do. Checked on the server for every request; the cabinet reads the same list
 * (from /me) only to hide what the person cannot use.
 */
import type { Role } from '../../schema.js';

export const PERMISSIONS = [
  'shops.read',
  'shops.create',
  'shops.write',
  'shops.secrets',
  'employees.manage',
  'audit.read',
  'settings.manage',
  'operations.read',
  'operations.manage',
  'operations.refund',
  'balance.read',
  'balance.manage',
  'api_keys.manage',
  'backoffice',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  administrator: [
    'shops.read',
    'shops.create',
    'shops.write',
    'shops.secrets',
    'employees.manage',
    'audit.read',
    'settings.manage',
    'operations.read',
    'operations.manage',
    'operations.refund',
    'balance.read',
    // Bank details and payouts move the merchant's money out: administrators only.
    'balance.manage',
    'api_keys.manage',
  ],
  // Developers integrate shops: they edit technical settings but never see the passwords. They may send
  // a ResultURL notification again while they debug the merchant's server.
  // They also manage the shops' API keys for the JSON API v1.
  developer: ['shops.read', 'shops.write', 'operations.read', 'operations.manage', 'api_keys.manage'],
  // Accountants return money to buyers; developers and viewers cannot.
  accountant: ['shops.read', 'operations.read', 'operations.refund', 'balance.read'],
  viewer: ['shops.read', 'operations.read', 'balance.read'],
  operator: ['backoffice'],
};

export const MERCHANT_ROLES = ['administrator', 'accountant', 'developer', 'viewer'] as const;
export type MerchantRole = (typeof MERCHANT_ROLES)[number];

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
