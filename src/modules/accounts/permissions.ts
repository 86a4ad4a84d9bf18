/**
 * Roles and what each may do. Checked on the server for every request; the cabinet reads the same list
 * (from /me) only to hide what the person cannot use.
 */
import type { Role, StaffRole } from '../../schema.js';

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
  // The back-office: every staff role has 'backoffice' (the dashboard, the audit log); the rest by role.
  'backoffice',
  'backoffice.moderation',
  'backoffice.support',
  'backoffice.finance',
  'backoffice.broadcasts',
  'backoffice.staff',
  // Tariffs and promo codes: what merchants pay (administrators and finance).
  'backoffice.tariffs',
  // Which payment methods each shop takes (administrators; every staff role may look).
  'backoffice.methods',
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
  // An operator's permissions come from the staff role (STAFF_PERMISSIONS); this is the floor.
  operator: ['backoffice'],
};

export const STAFF_ROLES = [
  'administrator',
  'moderator',
  'support',
  'finance',
] as const satisfies readonly StaffRole[];

/** What each of the operator's people may do; a support agent, say, cannot move money. */
const STAFF_PERMISSIONS: Record<StaffRole, readonly Permission[]> = {
  administrator: [
    'backoffice',
    'backoffice.moderation',
    'backoffice.support',
    'backoffice.finance',
    'backoffice.broadcasts',
    'backoffice.staff',
    'backoffice.tariffs',
    'backoffice.methods',
  ],
  moderator: ['backoffice', 'backoffice.moderation'],
  support: ['backoffice', 'backoffice.support', 'backoffice.broadcasts'],
  finance: ['backoffice', 'backoffice.finance', 'backoffice.tariffs'],
};

export const MERCHANT_ROLES = ['administrator', 'accountant', 'developer', 'viewer'] as const;
export type MerchantRole = (typeof MERCHANT_ROLES)[number];

export function permissionsOf(role: Role, staffRole: StaffRole | null = null): readonly Permission[] {
  return role === 'operator' && staffRole ? STAFF_PERMISSIONS[staffRole] : ROLE_PERMISSIONS[role];
}

export function hasPermission(
  role: Role,
  permission: Permission,
  staffRole: StaffRole | null = null,
): boolean {
  return permissionsOf(role, staffRole).includes(permission);
}
