/**
 * The operator's people (staff): an administrator invites them with a login and a staff role, changes
 * roles and disables people. The rules mirror a merchant's employees: an invitee sets a password through
 * an e-mailed link; nobody changes their own role; at least one active administrator remains (all staff
 * rows are locked while that is checked, so two concurrent demotions cannot leave none); disabling ends
 * the person's sessions. Every change is audited.
 */
import type { Deps } from '../../deps.js';
import { isUniqueViolation } from '../../platform/db.js';
import { commonErrors, validationError, type FieldProblem } from '../../platform/http/errors.js';
import { createId } from '../../platform/ids.js';
import type { StaffRole, UserStatus } from '../../schema.js';
import { recordAudit } from '../audit/index.js';
import { accountErrors } from './account.errors.js';
import { checkEmail, checkLogin, normalizeEmail } from './account.validation.js';
import { sendEmailLink } from './email-link.service.js';
import { STAFF_ROLES } from './permissions.js';
import { revokeAllSessions, type RequestMeta } from './session.service.js';

/** How invitation mail names the place the person is invited to. */
const BACKOFFICE_NAME = 'Kopek back-office';

export interface StaffMember {
  readonly id: string;
  readonly login: string;
  readonly email: string;
  readonly staffRole: StaffRole;
  readonly status: UserStatus;
  readonly createdAt: string;
}

const invalidRole: FieldProblem = {
  code: 'invalid_choice',
  text: { ru: 'Выберите роль из списка.', en: 'Choose a role from the list.' },
};
const invalidStatus: FieldProblem = {
  code: 'invalid_choice',
  text: { ru: 'active или disabled.', en: 'active or disabled.' },
};
const loginTaken: FieldProblem = {
  code: 'login_taken',
  text: { ru: 'Сотрудник с таким логином уже есть.', en: 'A staff member already has this login.' },
};
const emailTaken: FieldProblem = {
  code: 'email_taken',
  text: { ru: 'Этот e-mail уже используется в Kopek.', en: 'This e-mail is already used at Kopek.' },
};

const isStaffRole = (role: string | undefined): role is StaffRole =>
  (STAFF_ROLES as readonly string[]).includes(role ?? '');

type StaffRow = {
  id: string;
  login: string;
  email: string;
  staff_role: StaffRole | null;
  status: UserStatus;
  created_at: Date;
};

function toMember(row: StaffRow): StaffMember {
  return {
    id: row.id,
    login: row.login,
    email: row.email,
    staffRole: row.staff_role ?? 'support',
    status: row.status,
    createdAt: row.created_at.toISOString(),
  };
}

const COLUMNS = ['id', 'login', 'email', 'staff_role', 'status', 'created_at'] as const;

export async function listStaff(deps: Deps): Promise<StaffMember[]> {
  const rows = await deps.db
    .selectFrom('users')
    .select(COLUMNS)
    .where('role', '=', 'operator')
    .orderBy('login')
    .execute();
  return rows.map(toMember);
}

export async function inviteStaff(
  deps: Deps,
  actorUserId: string,
  input: { login: string; email: string; role: string },
  meta: RequestMeta,
): Promise<StaffMember> {
  const email = normalizeEmail(input.email);
  const login = input.login.trim().toLowerCase();
  const problems: Record<string, FieldProblem | undefined> = {
    login: checkLogin(login),
    email: checkEmail(email),
    role: isStaffRole(input.role) ? undefined : invalidRole,
  };
  const found = Object.entries(problems).filter((entry): entry is [string, FieldProblem] => !!entry[1]);
  if (found.length > 0) throw validationError(Object.fromEntries(found));
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const user = await trx
        .insertInto('users')
        .values({
          id: createId('usr'),
          account_id: null,
          login,
          email,
          role: 'operator',
          staff_role: input.role as StaffRole,
          status: 'invited',
          language: 'ru',
          created_at: deps.clock.now(),
        })
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      await sendEmailLink(
        trx,
        deps,
        {
          userId: user.id,
          email,
          userLogin: login,
          accountId: null,
          accountLogin: BACKOFFICE_NAME,
          language: 'ru',
        },
        'accept_invitation',
      );
      await recordAudit(trx, deps.clock, {
        accountId: null,
        actorUserId,
        action: 'staff.invited',
        target: user.id,
        details: { login, staffRole: input.role },
        ip: meta.ip,
      });
      return toMember(user);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_operator_login_key')) throw validationError({ login: loginTaken });
    if (isUniqueViolation(error, 'users_email_key')) throw validationError({ email: emailTaken });
    throw error;
  }
}

export async function updateStaff(
  deps: Deps,
  actorUserId: string,
  memberId: string,
  input: { role?: string | undefined; status?: string | undefined },
  meta: RequestMeta,
): Promise<StaffMember> {
  if (input.role !== undefined && !isStaffRole(input.role)) throw validationError({ role: invalidRole });
  if (input.status !== undefined && input.status !== 'active' && input.status !== 'disabled')
    throw validationError({ status: invalidStatus });
  if (memberId === actorUserId) throw accountErrors.cannotChangeSelf();
  return deps.db.transaction().execute(async (trx) => {
    const staff = await trx
      .selectFrom('users')
      .select(['id', 'staff_role', 'status'])
      .where('role', '=', 'operator')
      .forUpdate()
      .execute();
    const target = staff.find((person) => person.id === memberId);
    if (!target) throw commonErrors.notFound();
    const role = (input.role as StaffRole | undefined) ?? target.staff_role ?? 'support';
    const status =
      input.status === 'disabled'
        ? 'disabled'
        : input.status === 'active' && target.status === 'disabled'
          ? 'active'
          : target.status;
    const otherAdministrators = staff.filter(
      (person) =>
        person.staff_role === 'administrator' && person.status === 'active' && person.id !== memberId,
    );
    if (
      target.staff_role === 'administrator' &&
      (role !== 'administrator' || status === 'disabled') &&
      otherAdministrators.length === 0
    )
      throw accountErrors.lastAdministrator();
    const updated = await trx
      .updateTable('users')
      .set({ staff_role: role, status })
      .where('id', '=', memberId)
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    if (status === 'disabled') await revokeAllSessions(trx, deps.clock.now(), memberId);
    await recordAudit(trx, deps.clock, {
      accountId: null,
      actorUserId,
      action: 'staff.changed',
      target: memberId,
      details: { staffRole: role, status },
      ip: meta.ip,
    });
    return toMember(updated);
  });
}
