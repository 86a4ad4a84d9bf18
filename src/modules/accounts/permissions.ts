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
  ],
  // Developers integrate shops: they edit technical settings but never see the passwords.
  developer: ['shops.read', 'shops.write'],
  accountant: ['shops.read'],
  viewer: ['shops.read'],
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
