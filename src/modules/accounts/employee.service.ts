/**
 * Employees: the administrator invites people into the account with a personal login and a role.
 * An invitee sets a password through an e-mailed link. Every query is scoped to the caller's account.
 */
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { commonErrors, validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import type { Role, UserStatus } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { accountErrors } from './account.errors.js';
import { checkEmail, checkLogin, normalizeEmail } from './account.validation.js';
import { sendEmailLink } from './email-link.service.js';
import { MERCHANT_ROLES, type MerchantRole } from './permissions.js';
import { revokeAllSessions, type RequestMeta } from './session.service.js';

export interface Employee {
  id: string;
  login: string;
  email: string;
  role: Role;
  status: UserStatus;
  createdAt: string;
}

export interface Actor {
  readonly userId: string;
  readonly accountId: string;
}

const invalidRole: FieldProblem = {
  code: 'invalid_choice',
  text: { ru: 'Выберите роль из списка.', en: 'Choose a role from the list.' },
};
const loginTaken: FieldProblem = {
  code: 'login_taken',
  text: {
    ru: 'В аккаунте уже есть пользователь с таким логином.',
    en: 'The account already has a user with this login.',
  },
};
const emailTaken: FieldProblem = {
  code: 'email_taken',
  text: { ru: 'Этот e-mail уже используется в Kopek.', en: 'This e-mail is already used at Kopek.' },
};

function isMerchantRole(role: string): role is MerchantRole {
  return (MERCHANT_ROLES as readonly string[]).includes(role);
}

function toEmployee(row: {
  id: string;
  login: string;
  email: string;
  role: Role;
  status: UserStatus;
  created_at: Date;
}): Employee {
  return {
    id: row.id,
    login: row.login,
    email: row.email,
    role: row.role,
    status: row.status,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listEmployees(deps: Deps, accountId: string): Promise<Employee[]> {
  const rows = await deps.db
    .selectFrom('users')
    .select(['id', 'login', 'email', 'role', 'status', 'created_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .limit(500)
    .execute();
  return rows.map(toEmployee);
}

export async function inviteEmployee(
  deps: Deps,
  actor: Actor,
  input: { login: string; email: string; role: string },
  meta: RequestMeta,
): Promise<Employee> {
  const email = normalizeEmail(input.email);
  input = { ...input, login: input.login.trim().toLowerCase() };
  const problems: Record<string, FieldProblem | undefined> = {
    login: checkLogin(input.login),
    email: checkEmail(email),
    role: isMerchantRole(input.role) ? undefined : invalidRole,
  };
  const found = Object.entries(problems).filter((entry): entry is [string, FieldProblem] => !!entry[1]);
  if (found.length > 0) throw validationError(Object.fromEntries(found));
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const account = await trx
        .selectFrom('accounts')
        .select(['login', 'language'])
        .where('id', '=', actor.accountId)
        .executeTakeFirstOrThrow();
      const now = deps.clock.now();
      const user = await trx
        .insertInto('users')
        .values({
          id: createId('usr'),
          account_id: actor.accountId,
          login: input.login,
          email,
          role: input.role as MerchantRole,
          status: 'invited',
          language: account.language,
          created_at: now,
        })
        .returning(['id', 'login', 'email', 'role', 'status', 'created_at'])
        .executeTakeFirstOrThrow();
      await sendEmailLink(
        trx,
        deps,
        {
          userId: user.id,
          email,
          userLogin: user.login,
          accountId: actor.accountId,
          accountLogin: account.login,
          language: account.language,
        },
        'accept_invitation',
      );
      await recordAudit(trx, deps.clock, {
        accountId: actor.accountId,
        actorUserId: actor.userId,
        action: 'employee.invited',
        target: user.id,
        details: { login: user.login, role: user.role },
        ip: meta.ip,
      });
      return toEmployee(user);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_account_login_key')) throw validationError({ login: loginTaken });
    if (isUniqueViolation(error, 'users_email_key')) throw validationError({ email: emailTaken });
    throw error;
  }
}

export async function updateEmployee(
  deps: Deps,
  actor: Actor,
  employeeId: string,
  input: { role?: string | undefined; status?: string | undefined },
  meta: RequestMeta,
): Promise<Employee> {
  if (input.role !== undefined && !isMerchantRole(input.role)) throw validationError({ role: invalidRole });
  if (input.status !== undefined && input.status !== 'active' && input.status !== 'disabled') {
    throw validationError({ status: invalidRole });
  }
  if (employeeId === actor.userId) throw accountErrors.cannotChangeSelf();
  return deps.db.transaction().execute(async (trx) => {
    // Lock all administrators of the account so two concurrent demotions cannot leave none.
    const people = await trx
      .selectFrom('users')
      .select(['id', 'role', 'status'])
      .where('account_id', '=', actor.accountId)
      .forUpdate()
      .execute();
    const target = people.find((person) => person.id === employeeId);
    if (!target) throw commonErrors.notFound();
    const role = (input.role as MerchantRole | undefined) ?? target.role;
    const status =
      input.status === 'disabled'
        ? 'disabled'
        : input.status === 'active' && target.status === 'disabled'
          ? 'active'
          : target.status;
    const activeAdministrators = people.filter(
      (person) => person.role === 'administrator' && person.status === 'active' && person.id !== employeeId,
    );
    if (
      target.role === 'administrator' &&
      (role !== 'administrator' || status === 'disabled') &&
      activeAdministrators.length === 0
    ) {
      throw accountErrors.lastAdministrator();
    }
    const updated = await trx
      .updateTable('users')
      .set({ role, status })
      .where('id', '=', employeeId)
      .where('account_id', '=', actor.accountId)
      .returning(['id', 'login', 'email', 'role', 'status', 'created_at'])
      .executeTakeFirstOrThrow();
    if (status === 'disabled') await revokeAllSessions(trx, deps.clock.now(), employeeId);
    await recordAudit(trx, deps.clock, {
      accountId: actor.accountId,
      actorUserId: actor.userId,
      action: 'employee.updated',
      target: employeeId,
      details: { from: { role: target.role, status: target.status }, to: { role, status } },
      ip: meta.ip,
    });
    return toEmployee(updated);
  });
}
