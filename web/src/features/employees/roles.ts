import type { AccountRole } from '../../lib/types';

/** The roles an account administrator can give, most powerful first. */
export const ACCOUNT_ROLES: readonly AccountRole[] = ['administrator', 'accountant', 'developer', 'viewer'];
