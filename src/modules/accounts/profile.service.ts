/** What the cabinet needs to know about the signed-in person (GET /me). */
import type { Deps } from '../../deps.js';
import { commonErrors } from '../../platform/http/errors.js';
import type { Language } from '../../platform/i18n.js';
import { permissionsOf } from './permissions.js';

export async function loadProfile(deps: Deps, userId: string) {
  const row = await deps.db
    .selectFrom('users')
    .leftJoin('accounts', 'accounts.id', 'users.account_id')
    .select([
      'users.id',
      'users.login',
      'users.email',
      'users.role',
      'users.staff_role',
      'users.language',
      'users.totp_enabled_at',
      'accounts.id as account_id',
      'accounts.login as account_login',
      'accounts.status as account_status',
      'accounts.country',
      'accounts.currency',
      'accounts.legal_form',
      'accounts.document_flow',
    ])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) throw commonErrors.unauthenticated();
  return {
    user: {
      id: row.id,
      login: row.login,
      email: row.email,
      role: row.role,
      staffRole: row.staff_role,
      language: row.language,
      totpEnabled: row.totp_enabled_at !== null,
    },
    account:
      row.account_id === null
        ? null
        : {
            id: row.account_id,
            login: row.account_login,
            status: row.account_status,
            country: row.country,
            currency: row.currency,
            legalForm: row.legal_form,
            documentFlow: row.document_flow,
          },
    permissions: permissionsOf(row.role, row.staff_role),
  };
}

/** The language of the cabinet is also the language of the e-mails the person receives. */
export async function updateLanguage(deps: Deps, userId: string, language: Language): Promise<void> {
  await deps.db.updateTable('users').set({ language }).where('id', '=', userId).execute();
}
