/**
 * Accounts: merchant registration and e-mail confirmation, people and roles, sign-in, sessions,
 * two-factor authentication. Other modules use the guard and actor helpers exported here.
 */
export { registerAccountRoutes } from './account.routes.js';
export { registerStaffRoutes } from './staff.routes.js';
export {
  createAuthGuard,
  requireMerchantActor,
  requireSessionUser,
  SESSION_COOKIE,
  type MerchantActor,
} from './auth.js';
export { confirmOwnPassword } from './credentials.service.js';
export { hashPassword } from './password.js';
export { findFeeDiscountPercent } from './promo.service.js';
export { hasPermission, permissionsOf, STAFF_ROLES, type Permission } from './permissions.js';
export { deleteStaleSessionsAndLinks, type RequestMeta } from './session.service.js';
