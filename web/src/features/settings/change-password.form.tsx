// Changes the user's own password; the server checks the current one and the strength of the new one.
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../lib/api';
import { showFieldErrors, type FieldErrors } from '../../lib/forms';
import { useTexts } from '../../lib/i18n';
import { ErrorAlert, SuccessNotice, TextField } from '../../lib/ui';
import { useMe } from '../shell/session';
import { settingsTexts } from './settings.texts';

const EMPTY = { currentPassword: '', newPassword: '', repeat: '' };
const FIELD_ORDER: [string, string][] = [
  ['currentPassword', 'settings-currentPassword'],
  ['newPassword', 'settings-newPassword'],
  ['repeat', 'settings-repeat'],
];

export function ChangePasswordForm() {
  const t = useTexts(settingsTexts);
  const me = useMe();
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function update(key: keyof typeof EMPTY, value: string) {
    setValues((current) => ({ ...current, [key]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    setFailure(null);
    if (values.newPassword !== values.repeat) {
      const mismatch = { repeat: { code: 'mismatch', message: t('password.mismatch') } };
      showFieldErrors(new ApiError(422, 'mismatch', '', mismatch), setErrors, FIELD_ORDER);
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/cabinet/me/password', {
        currentPassword: values.currentPassword,
        newPassword: values.newPassword,
      });
      setValues(EMPTY);
      setErrors({});
      setNotice(t('password.done'));
    } catch (error) {
      setFailure(errorMessage(error));
      showFieldErrors(error, setErrors, FIELD_ORDER);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">{t('password.title')}</h2>
      <form onSubmit={submit} noValidate>
        <ErrorAlert message={failure} />
        <input type="hidden" name="username" autoComplete="username" value={me.user.email} />
        <TextField
          id="settings-currentPassword"
          type="password"
          label={t('password.current')}
          error={errors.currentPassword}
          value={values.currentPassword}
          onChange={(event) => update('currentPassword', event.target.value)}
          autoComplete="current-password"
        />
        <TextField
          id="settings-newPassword"
          type="password"
          label={t('password.new')}
          hint={t('password.newHint')}
          error={errors.newPassword}
          value={values.newPassword}
          onChange={(event) => update('newPassword', event.target.value)}
          autoComplete="new-password"
        />
        <TextField
          id="settings-repeat"
          type="password"
          label={t('password.repeat')}
          error={errors.repeat}
          value={values.repeat}
          onChange={(event) => update('repeat', event.target.value)}
          autoComplete="new-password"
        />
        <SuccessNotice message={notice} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy} aria-busy={busy}>
            {t('password.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
