// /backoffice/staff: the operator's people and their roles; administrators invite, change roles, disable.
import { useState, type FormEvent } from 'react';
import { api, errorMessage, fieldMessages } from '../../lib/api';
import { useTexts } from '../../lib/i18n';
import type { StaffRole } from '../../lib/types';
import { ErrorAlert, Loading, SelectField, SuccessNotice, TextField, useDocumentTitle } from '../../lib/ui';
import { useResource } from '../../lib/use-resource';
import { useMe } from '../shell/session';
import { platformTexts } from './platform.texts';

interface StaffMember {
  id: string;
  login: string;
  email: string;
  staffRole: StaffRole;
  status: 'invited' | 'active' | 'disabled';
}

const ROLES: readonly StaffRole[] = ['administrator', 'moderator', 'support', 'finance'];

export function StaffPage() {
  const t = useTexts(platformTexts);
  useDocumentTitle(t('staff.title'));
  const me = useMe();
  const { resource, setData } = useResource<{ items: StaffMember[] }>('/api/backoffice/staff');
  const [form, setForm] = useState({ login: '', email: '', role: 'support' as StaffRole });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const roleOptions = ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }));

  async function refresh() {
    setData(await api.get<{ items: StaffMember[] }>('/api/backoffice/staff'));
  }

  async function invite(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setFailure(null);
    try {
      const member = await api.post<StaffMember>('/api/backoffice/staff', form);
      setNotice(t('staff.invited', { email: member.email }));
      setForm({ login: '', email: '', role: 'support' });
      await refresh();
    } catch (error) {
      setErrors(fieldMessages(error));
      setFailure(errorMessage(error));
    }
  }

  async function change(member: StaffMember, change: { role?: StaffRole; status?: 'active' | 'disabled' }) {
    setFailure(null);
    try {
      await api.patch(`/api/backoffice/staff/${encodeURIComponent(member.id)}`, change);
      await refresh();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <>
      <h1>{t('staff.title')}</h1>
      <p className="lead">{t('staff.intro')}</p>
      <ErrorAlert message={failure} />
      {resource.status === 'loading' && <Loading label={t('loading')} />}
      {resource.status === 'failed' && <ErrorAlert message={resource.message} />}
      {resource.status === 'ready' && (
        <div className="card flush table-scroll">
          <table className="table responsive-table">
            <thead>
              <tr>
                <th scope="col">{t('staff.login')}</th>
                <th scope="col">{t('staff.email')}</th>
                <th scope="col">{t('staff.role')}</th>
                <th scope="col">{t('staff.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('staff.status')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {resource.data.items.map((member) => {
                const isSelf = member.id === me.user.id;
                return (
                  <tr key={member.id}>
                    <td data-label={t('staff.login')}>{member.login}</td>
                    <td data-label={t('staff.email')}>{member.email}</td>
                    <td data-label={t('staff.role')}>
                      {isSelf ? (
                        t(`role.${member.staffRole}`)
                      ) : (
                        <select
                          aria-label={`${t('staff.role')}: ${member.login}`}
                          value={member.staffRole}
                          onChange={(event) => void change(member, { role: event.target.value as StaffRole })}
                        >
                          {roleOptions.map((option) => (
                            <option key={option.value} value={option.value}>
                              {option.label}
                            </option>
                          ))}
                        </select>
                      )}
                    </td>
                    <td data-label={t('staff.status')}>{t(`status.${member.status}`)}</td>
                    <td>
                      {!isSelf && member.status !== 'invited' && (
                        <button
                          type="button"
                          className="button"
                          onClick={() =>
                            void change(member, {
                              status: member.status === 'disabled' ? 'active' : 'disabled',
                            })
                          }
                        >
                          {member.status === 'disabled' ? t('staff.enable') : t('staff.disable')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <form className="card" onSubmit={(event) => void invite(event)} aria-labelledby="staff-invite-title">
        <h2 id="staff-invite-title">{t('staff.invite')}</h2>
        <div className="field-row">
          <TextField
            id="staff-login"
            className="grow"
            label={t('staff.login')}
            value={form.login}
            error={errors.login}
            onChange={(event) => setForm({ ...form, login: event.target.value })}
          />
          <TextField
            id="staff-email"
            className="grow"
            type="email"
            label={t('staff.email')}
            value={form.email}
            error={errors.email}
            onChange={(event) => setForm({ ...form, email: event.target.value })}
          />
          <SelectField
            id="staff-role"
            className="grow"
            label={t('staff.role')}
            value={form.role}
            error={errors.role}
            options={roleOptions}
            onChange={(role) => setForm({ ...form, role })}
          />
        </div>
        <SuccessNotice message={notice} />
        <div className="actions">
          <button type="submit" className="button primary">
            {t('staff.send')}
          </button>
        </div>
      </form>
    </>
  );
}
