// /cabinet/employees: the account's users, their roles and statuses, and invitations.
import { useState } from 'react';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { formatDate } from '../../lib/format';
import { useLanguage, useTexts } from '../../lib/i18n';
import type { AccountRole, Employee, ItemList } from '../../lib/types';
import { ErrorAlert, Loading, SuccessNotice, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { useMe } from '../shell/session';
import { employeeTexts } from './employees.texts';
import { InviteForm } from './invite.form';
import { ACCOUNT_ROLES } from './roles';

export function EmployeesPage() {
  const t = useTexts(employeeTexts);
  useDocumentTitle(t('title'));
  const { resource, setData } = useResource<ItemList<Employee>>('/api/cabinet/employees');
  const items = resource.status === 'ready' ? resource.data.items : [];

  function replace(employee: Employee) {
    setData({ items: items.map((item) => (item.id === employee.id ? employee : item)) });
  }

  return (
    <>
      <h1>{t('title')}</h1>
      <p className="lead">{t('intro')}</p>
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && <EmployeeTable employees={items} onChange={replace} />}
      {resource.status === 'ready' && (
        <InviteForm onInvited={(employee) => setData({ items: [...items, employee] })} />
      )}
    </>
  );
}

function EmployeeTable({
  employees,
  onChange,
}: {
  employees: Employee[];
  onChange: (employee: Employee) => void;
}) {
  const t = useTexts(employeeTexts);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function patch(employee: Employee, change: { role?: AccountRole; status?: 'active' | 'disabled' }) {
    setNotice(null);
    setFailure(null);
    try {
      const saved = await api.patch<Employee>(
        `/api/cabinet/employees/${encodeURIComponent(employee.id)}`,
        change,
      );
      onChange(saved);
      const key = change.role
        ? 'changed.role'
        : change.status === 'disabled'
          ? 'changed.disabled'
          : 'changed.enabled';
      setNotice(t(key, { login: saved.login }));
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <div className="card flush">
      <div className="card-messages">
        <SuccessNotice message={notice} />
        <ErrorAlert message={failure} />
      </div>
      {employees.length <= 1 && <p className="card-note muted">{t('empty')}</p>}
      <table className="table responsive-table">
        <thead>
          <tr>
            <th scope="col">{t('column.login')}</th>
            <th scope="col">{t('column.email')}</th>
            <th scope="col">{t('column.role')}</th>
            <th scope="col">{t('column.status')}</th>
            <th scope="col">{t('column.created')}</th>
            <th scope="col">{t('column.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {employees.map((employee) => (
            <EmployeeRow
              key={employee.id}
              employee={employee}
              onPatch={(change) => void patch(employee, change)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface EmployeeRowProps {
  employee: Employee;
  onPatch: (change: { role?: AccountRole; status?: 'active' | 'disabled' }) => void;
}

function EmployeeRow({ employee, onPatch }: EmployeeRowProps) {
  const t = useTexts(employeeTexts);
  const c = useTexts(commonTexts);
  const { language } = useLanguage();
  // Nobody can demote or disable themselves here: that would risk an account without an administrator.
  const isSelf = useMe().user.id === employee.id;
  const selectId = `employee-role-${employee.id}`;
  return (
    <tr>
      <td data-label={t('column.login')}>
        {employee.login} {isSelf && <span className="muted">{t('you')}</span>}
      </td>
      <td data-label={t('column.email')} className="break">
        {employee.email}
      </td>
      <td data-label={t('column.role')}>
        <label htmlFor={selectId} className="visually-hidden">
          {t('rowRole.label', { login: employee.login })}
        </label>
        <select
          id={selectId}
          value={employee.role}
          disabled={isSelf}
          onChange={(event) => onPatch({ role: event.target.value as AccountRole })}
        >
          {ACCOUNT_ROLES.map((role) => (
            <option key={role} value={role}>
              {c(`role.${role}`)}
            </option>
          ))}
        </select>
      </td>
      <td data-label={t('column.status')}>
        <span className={`badge badge-employee-${employee.status}`}>{t(`status.${employee.status}`)}</span>
      </td>
      <td data-label={t('column.created')}>{formatDate(employee.createdAt, language)}</td>
      <td data-label={t('column.actions')}>
        {!isSelf &&
          (employee.status === 'disabled' ? (
            <button
              type="button"
              className="button"
              aria-label={t('enable.label', { login: employee.login })}
              onClick={() => onPatch({ status: 'active' })}
            >
              {t('enable')}
            </button>
          ) : (
            <button
              type="button"
              className="button button-danger"
              aria-label={t('disable.label', { login: employee.login })}
              onClick={() => onPatch({ status: 'disabled' })}
            >
              {t('disable')}
            </button>
          ))}
      </td>
    </tr>
  );
}
