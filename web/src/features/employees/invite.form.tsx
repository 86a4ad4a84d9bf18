// Invites an employee: the server creates the user and e-mails them a link to set a password.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../lib/api';
import { commonTexts } from '../../lib/common.texts';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import type { AccountRole, Employee } from '../../lib/types';
import { ErrorAlert, SelectField, SuccessNotice, TextField } from '../../lib/ui';
import { employeeTexts } from './employees.texts';
import { ACCOUNT_ROLES } from './roles';

const FIELD_ORDER: [string, string][] = [
  ['login', 'invite-login'],
  ['email', 'invite-email'],
  ['role', 'invite-role'],
];

export function InviteForm({ onInvited }: { onInvited: (employee: Employee) => void }) {
  const t = useTexts(employeeTexts);
  const c = useTexts(commonTexts);
  const [login, setLogin] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<AccountRole>('viewer');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    setFailure(null);
    try {
      const employee = await api.post<Employee>('/api/cabinet/employees', {
        login: login.trim(),
        email: email.trim(),
        role,
      });
      onInvited(employee);
      setNotice(t('invite.sent', { email: employee.email }));
      setLogin('');
      setEmail('');
      setErrors({});
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELD_ORDER);
    } finally {
      setBusy(false);
    }
  }

  const roleHint = (
    <ul className="role-list">
      {ACCOUNT_ROLES.map((value) => (
        <li key={value}>
          <strong>{c(`role.${value}`)}</strong> — {t(`role.${value}.description`)}
        </li>
      ))}
    </ul>
  );

  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">{t('invite.title')}</h2>
      <p className="muted">{t('invite.intro')}</p>
      <form onSubmit={submit} noValidate>
        <ErrorAlert message={failure} />
        <TextField
          id="invite-login"
          label={t('invite.login')}
          hint={t('invite.loginHint')}
          error={errors.login}
          value={login}
          onChange={(event) => setLogin(event.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
        />
        <TextField
          id="invite-email"
          type="email"
          label={t('invite.email')}
          error={errors.email}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          autoComplete="off"
        />
        <SelectField
          id="invite-role"
          label={t('invite.role')}
          hint={roleHint}
          error={errors.role}
          value={role}
          options={ACCOUNT_ROLES.map((value) => ({ value, label: c(`role.${value}`) }))}
          onChange={setRole}
        />
        <SuccessNotice message={notice} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            {t('invite.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
